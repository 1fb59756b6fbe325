"""Where the provider signs users in, read from settings at request time.

Read per request, never at import, so changing ``CTCT_*`` (a test pointing them at its live
server, or an operator switching to the real Constant Contact) takes effect without a restart of
anything that imported this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings

PROVIDER_ID = "constantcontact"
DEMO_SECRET_NAME = "dashboard_client_secret"  # noqa: S105 - the key bootstrap_demo writes, not a secret


@dataclass(frozen=True)
class Endpoints:
    """The authorization server and API one sign-in uses, and the dashboard's credentials there."""

    authorize_url: str
    token_url: str
    api_base_url: str
    client_id: str
    client_secret: str

    @property
    def keys_url(self) -> str:
        """The JWKS that signs access tokens: the authorize URL's ``keys`` sibling (Okta's layout)."""
        return urljoin(self.authorize_url, "keys")


def demo_client_secret(path: Path) -> str:
    """The built-in service's demo dashboard secret from ``bootstrap_demo``'s file, or "".

    The local-only fallback for an unset CTCT_CLIENT_SECRET: the file is what
    ``apps.v3.account.provisioning.SecretStore`` writes, read here as plain JSON because the
    dashboard never imports the service.
    """
    try:
        values = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return ""
    secret = values.get(DEMO_SECRET_NAME, "") if isinstance(values, dict) else ""
    return str(secret)


def current() -> Endpoints:
    """The endpoints and credentials the settings name now."""
    secret = settings.CTCT_CLIENT_SECRET or demo_client_secret(Path(settings.CTCT_DEMO_SECRETS_FILE))
    return Endpoints(
        authorize_url=settings.CTCT_AUTHORIZE_URL,
        token_url=settings.CTCT_TOKEN_URL,
        api_base_url=settings.CTCT_API_BASE_URL.rstrip("/"),
        client_id=settings.CTCT_CLIENT_ID,
        client_secret=secret,
    )
