"""Background work of the partners domain: plan and tier facts, webhook delivery, billing sweeps, Celery tasks.

Layers: ``tasks`` > ``billing`` > ``deliveries`` > ``plans``.
"""
