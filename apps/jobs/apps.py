"""App config for dashboard jobs."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Contact imports and exports run as V3 bulk activities, with their progress."""

    name = "apps.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
