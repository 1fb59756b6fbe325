"""Creating accounts, applications and partners: the demo set-up and scripts use these."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from oauth2_provider.models import Application

from apps.v3.account.models import Account, AccountMembership, Partner, Role

DEMO_ACCOUNT_ID = "ademo0000001"
DEMO_USERNAME = "demo"
DASHBOARD_CLIENT_ID = "ctctdash-dashboard"
PUBLIC_CLIENT_ID = "ctctdash-public"
PARTNER_CLIENT_ID = "ctctdash-partner"
SCRIPTS_CLIENT_ID = "ctctdash-scripts"


def api_key_digest(api_key: str) -> str:
    """Partner API keys are stored as digests; the gate compares digests."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def dashboard_redirect_uri() -> str:
    """Where the dashboard's allauth provider receives the authorization code."""
    return f"{settings.SITE_URL}/accounts/constantcontact/login/callback/"


class SecretStore:
    """Demo secrets kept in a private file under var/, so re-running bootstrap can print them.

    Client secrets are stored hashed by django-oauth-toolkit; without this file a second run
    could not say what the secret is, and would have to rotate it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.values: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}

    def get_or_make(self, name: str) -> tuple[str, bool]:
        """The stored secret ``name``, or a new one (second item True when new)."""
        if name in self.values:
            return self.values[name], False
        self.values[name] = secrets.token_urlsafe(32)
        return self.values[name], True

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.values, indent=1))
        self.path.chmod(0o600)


def _application(client_id: str, **fields: Any) -> Application:
    app = Application.objects.filter(client_id=client_id).first()
    if app is None:
        app = Application(client_id=client_id)
    for name, value in fields.items():
        setattr(app, name, value)
    app.save()
    return app


@dataclass
class DemoSetup:
    """What ``bootstrap_demo`` made or found."""

    account: Account
    username: str
    password: str
    dashboard_secret: str
    partner_secret: str
    partner_api_key: str
    partner: Partner


@transaction.atomic
def bootstrap_demo(password: str) -> DemoSetup:
    """Create, or bring back to the documented state, the demo account, user, apps and partner."""
    store = SecretStore(settings.VAR_DIR / "demo-secrets.json")
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@example.com"})
    user.set_password(password)
    user.save()
    account, _ = Account.objects.get_or_create(
        encoded_account_id=DEMO_ACCOUNT_ID,
        defaults={
            "organization_name": "Demo Organization",
            "first_name": "Demo",
            "last_name": "Owner",
            "contact_email": "demo@example.com",
        },
    )
    AccountMembership.objects.update_or_create(account=account, user=user, defaults={"role": Role.ACCOUNT_OWNER})

    dashboard_secret, _ = store.get_or_make("dashboard_client_secret")
    _application(
        DASHBOARD_CLIENT_ID,
        name="ctctdash dashboard",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=dashboard_redirect_uri(),
        client_secret=dashboard_secret,
        hash_client_secret=True,
        skip_authorization=False,
        user=user,
    )
    _application(
        PUBLIC_CLIENT_ID,
        name="ctctdash public client",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=dashboard_redirect_uri(),
        client_secret="",
        user=user,
    )
    partner_secret, _ = store.get_or_make("partner_client_secret")
    partner_api_key, _ = store.get_or_make("partner_api_key")
    partner_app = _application(
        PARTNER_CLIENT_ID,
        name="ctctdash demo partner",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        redirect_uris="",
        client_secret=partner_secret,
        hash_client_secret=True,
    )
    partner, _ = Partner.objects.update_or_create(
        application=partner_app,
        defaults={"name": "Demo Partner", "api_key_digest": api_key_digest(partner_api_key)},
    )
    store.save()
    return DemoSetup(account, user.get_username(), password, dashboard_secret, partner_secret, partner_api_key, partner)


def scripts_application() -> Application:
    """The application tokens minted by ``issue_token`` are issued to (rate limits count it)."""
    app, _ = Application.objects.get_or_create(
        client_id=SCRIPTS_CLIENT_ID,
        defaults={
            "name": "ctctdash scripts",
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_CLIENT_CREDENTIALS,
            "client_secret": secrets.token_urlsafe(32),
        },
    )
    return app
