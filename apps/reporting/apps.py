"""App config for dashboard reporting."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Reports pages of the dashboard."""

    name = "apps.reporting"
    label = "reporting"
    default_auto_field = "django.db.models.BigAutoField"
