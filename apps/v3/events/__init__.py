"""Events (the spec's Events tag): events, their default track, registrations and tickets, and the
public registration pages served at ``/e/``.

Layers, top to bottom (an import-linter contract in pyproject.toml holds them):
``endpoints | public`` (the V3 handlers, the token-less registration, confirmation and ticket pages) >
``services | serializers`` (named actions; response shapes) > ``tickets`` (ticket keys as QR codes,
the public links, the confirmation email) > ``models``.
"""
