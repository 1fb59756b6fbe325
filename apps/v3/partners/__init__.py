"""Technology partners (the spec's Technology Partners and Technology Partners Webhooks tags): client
accounts a partner provisions and bills, their SSO users, the sync proxy, and billing webhooks.

Layers, top to bottom (an import-linter contract in pyproject.toml holds them):
``endpoints`` (the V3 handlers, one module per tag) > ``services | serializers`` (named actions; response
shapes) > ``engine`` (the Celery tasks, the billing sweeps, plans and tiers, webhook delivery) > ``models``.
"""
