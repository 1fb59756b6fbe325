"""Partners in tests: a client speaking with a partner token and its x-api-key, and a real webhook receiver."""

from __future__ import annotations

import itertools
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from apps.v3.account.models import Partner
from apps.v3.account.provisioning import api_key_digest
from apps.v3.oauth import tokens
from tests.v3.conftest import V3Api

_names = itertools.count(1)


class PartnerApi(V3Api):
    """Calls ``/v3`` as a partner: its token and its ``x-api-key`` on every request, every response validated."""

    def __init__(self, partner: Partner, token: str, api_key: str) -> None:
        self.partner = partner
        self.api_key = api_key
        self.token = token
        self.account = None  # type: ignore[assignment]
        self.membership = None  # type: ignore[assignment]
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_API_KEY=api_key)


def make_partner(name: str | None = None) -> PartnerApi:
    """A new partner with its application, API key and a one-hour partner token (as the JWT-bearer grant mints)."""
    name = name or f"Partner {next(_names)}"
    app = Application.objects.create(
        name=f"{name} app",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret="s3cret-for-tests",
    )
    api_key = secrets.token_urlsafe(16)
    partner = Partner.objects.create(name=name, application=app, api_key_digest=api_key_digest(api_key))
    token = tokens.encode({"cid": app.client_id, "partner": partner.encoded_partner_id, "scp": []}, 3600)
    AccessToken.objects.create(application=app, token=token, expires=timezone.now() + timedelta(hours=1), scope="")
    return PartnerApi(partner, token, api_key)


def provision_body(login_name: str | None = None, **fields: Any) -> dict[str, Any]:
    """A provision request the service accepts."""
    login_name = login_name or f"client_{secrets.token_hex(4)}"
    return {
        "contact_email": f"{login_name}@example.com",
        "country_code": "US",
        "state_code": "MA",
        "login_name": login_name,
        "password": "correct horse battery",
        "first_name": "Hank",
        "last_name": "Smith",
        "organization_name": "Hanks Fresh Fruit",
        **fields,
    }


def provisioned(partner: PartnerApi, **fields: Any) -> str:
    """A new client account of ``partner``: its encoded account id."""
    response = partner.post("/partner/accounts", provision_body(**fields))
    assert response.status_code == 201, response.content
    return str(response.json()["encoded_account_id"])


class Receiver:
    """A real HTTP server on a free loopback port that records every POST and answers with scripted statuses."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.received.append({"body": body, "headers": dict(self.headers), "status": status})
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def accepted(self) -> list[dict[str, Any]]:
        """The notifications it answered with a 2xx."""
        return [r for r in self.received if 200 <= r["status"] < 300]

    def payloads(self) -> list[dict[str, Any]]:
        """The decoded bodies it accepted."""
        return [json.loads(r["body"]) for r in self.accepted]


@contextmanager
def receiving(statuses: list[int] | None = None) -> Iterator[Receiver]:
    """A :class:`Receiver` serving for the block."""
    receiver = Receiver(statuses)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join(timeout=5)
