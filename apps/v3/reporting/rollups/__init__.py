"""Reporting rollups (see apps/v3/reporting/__init__.py)."""
