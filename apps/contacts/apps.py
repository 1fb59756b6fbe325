"""App config for dashboard contacts."""

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    """Contacts pages of the dashboard."""

    name = "apps.contacts"
    label = "contacts"
    default_auto_field = "django.db.models.BigAutoField"
