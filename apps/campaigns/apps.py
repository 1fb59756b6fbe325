"""App config for dashboard campaigns."""

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    """Email campaign pages of the dashboard."""

    name = "apps.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"
