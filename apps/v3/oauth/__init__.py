"""The V3 authorization server: django-oauth-toolkit configured as Constant Contact's."""
