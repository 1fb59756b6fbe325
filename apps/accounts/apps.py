"""App config for dashboard accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in, workspaces, members and connections."""

    name = "apps.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the sign-in receiver
