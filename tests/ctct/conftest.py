"""Fixtures for the V3 client: the live built-in service over real HTTP, its tokens, and clients.

Tokens come from the service's own machinery: ``issue_token`` for plain access tokens, the full
authorization-code flow (PKCE, ``offline_access``) when a test needs a refresh token.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import requests
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from requests_oauthlib import OAuth2Session

from apps.ctct import Client, ClientConfig
from apps.v3.oauth.tokens import issue_token
from tests.live import PASSWORD, REDIRECT, SECRET
from tests.v3.factories import ApplicationFactory
from tests.v3.oauth_browser import authorize

ALL_SCOPES = ["account_read", "account_update", "contact_data", "campaign_data"]
TOKEN_PATH = "/oauth2/default/v1/token"
# A database of its own on the project's Redis, so these tests never touch anyone's keys.
REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture(autouse=True)
def _plain_http(plain_http: None) -> None:
    """Every client test may meet the plain-HTTP live server."""


@pytest.fixture
def app(transactional_db: Any) -> Application:
    """A confidential application with the fixture secret."""
    application: Application = ApplicationFactory(redirect_uris=REDIRECT)
    return application


@pytest.fixture
def issued_token(owner: Any, app: Application) -> Callable[..., dict[str, Any]]:
    """``issued_token(scopes=ALL_SCOPES)``: an access token (no refresh token) as a token dict."""

    def make(scopes: list[str] | None = None) -> dict[str, Any]:
        access = issue_token(owner.account, owner.user, scopes or ALL_SCOPES, app)
        return {"access_token": access, "token_type": "Bearer", "expires_at": time.time() + 86_400}

    return make


@pytest.fixture
def oauth_token(server: str, owner: Any, app: Application) -> Callable[..., dict[str, Any]]:
    """``oauth_token(scopes)``: a token from the real code flow with PKCE; with a refresh token."""

    def make(scopes: list[str] | None = None) -> dict[str, Any]:
        oauth = OAuth2Session(
            app.client_id, redirect_uri=REDIRECT, scope=(scopes or ALL_SCOPES) + ["offline_access"], pkce="S256"
        )
        url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
        location = authorize(url, owner.user.username, PASSWORD).headers["Location"]
        token: dict[str, Any] = oauth.fetch_token(
            server + TOKEN_PATH, authorization_response=location, client_secret=SECRET, include_client_id=True
        )
        assert "refresh_token" in token
        return token

    return make


@dataclass
class Wire:
    """What a client sent, as (method, path, status) per response, token endpoint included."""

    calls: list[tuple[str, str, int]] = field(default_factory=list)

    def record(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """A requests response hook."""
        self.calls.append((response.request.method or "", urlsplit(response.url).path, response.status_code))

    @property
    def api(self) -> list[int]:
        """Statuses of the V3 requests, in order."""
        return [status for _, path, status in self.calls if path.startswith("/v3/")]

    @property
    def token_requests(self) -> int:
        """How many requests went to the token endpoint."""
        return sum(1 for _, path, _ in self.calls if path == TOKEN_PATH)


@pytest.fixture
def make_client(server: str, app: Application) -> Iterator[Callable[..., tuple[Client, Wire]]]:
    """``make_client(token, **config)`` -> (client, wire) against the live service."""
    made: list[Client] = []

    def make(token: dict[str, Any], **overrides: Any) -> tuple[Client, Wire]:
        config = ClientConfig(
            base_url=server + "/v3",
            token_url=server + TOKEN_PATH,
            client_id=app.client_id,
            client_secret=SECRET,
            token=token,
            # The limiter's own backends are tested on their own; here it must never be the bottleneck.
            rate_limit_backend="memory",
            rate_limit_per_second=1000,
            timeout=15,
        )
        client = Client(config, **overrides)
        wire = Wire()
        client.core.session.hooks["response"].append(wire.record)
        made.append(client)
        return client, wire

    yield make
    for client in made:
        client.close()


def _access_row(token: dict[str, Any]) -> Any:
    checksum = hashlib.sha256(token["access_token"].encode()).hexdigest()
    rows = AccessToken.objects.filter(token_checksum=checksum)
    assert rows.count() == 1
    return rows


def revoke_server_side(token: dict[str, Any]) -> None:
    """Delete the access token's row, as revocation does: the service then answers 401.

    The refresh token is orphaned by that too (the service refuses to refresh against a
    deleted access token), so tests that expect a successful refresh expire the row instead.
    """
    _access_row(token).delete()


def expire_server_side(token: dict[str, Any]) -> None:
    """Expire the access token on the service only; the client still believes it valid."""
    _access_row(token).update(expires=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    """The test Redis database, emptied of this suite's keys before and after."""
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()

    def clean() -> None:
        for key in client.scan_iter("ctct:*"):
            client.delete(key)

    clean()
    yield client
    clean()
