"""App config for the V3 service."""

from django.apps import AppConfig


class V3Config(AppConfig):
    """The built-in V3 service."""

    name = "apps.v3"
    label = "v3"
    verbose_name = "V3 service"
    default_auto_field = "django.db.models.BigAutoField"
