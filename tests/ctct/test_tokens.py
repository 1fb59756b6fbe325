"""Token refresh against the live authorization server: on expiry, after a 401, once per connection."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from oauth2_provider.models import AccessToken, Application, RefreshToken

from apps.ctct import Client, Unauthorized

from . import workers
from .conftest import REDIS_URL, SECRET, TOKEN_PATH, expire_server_side

MakeClient = Callable[..., tuple[Client, Any]]
TokenMaker = Callable[..., dict[str, Any]]


class Store:
    """A token store like a dashboard connection row: updater writes, loader reads."""

    def __init__(self, token: dict[str, Any]) -> None:
        self.token = dict(token)
        self.updates: list[dict[str, Any]] = []
        self.loads = 0

    def update(self, token: dict[str, Any]) -> None:
        self.updates.append(dict(token))
        self.token = dict(token)

    def load(self) -> dict[str, Any]:
        self.loads += 1
        return dict(self.token)


def test_expired_token_is_refreshed_before_the_request(make_client: MakeClient, oauth_token: TokenMaker) -> None:
    token = oauth_token()
    token["expires_at"] = time.time() - 60  # expired as far as the client knows
    store = Store(token)
    client, wire = make_client(token, token_updater=store.update)

    assert client.account_services.get_user_privileges()
    assert wire.token_requests == 1 and wire.api == [200], "refreshed first, then one request"
    (rotated,) = store.updates
    assert rotated["access_token"] != token["access_token"]
    assert rotated["refresh_token"] != token["refresh_token"], "the service rotates refresh tokens"
    assert rotated["expires_at"] > time.time() + 3600
    assert client.token["access_token"] == rotated["access_token"]
    # The next call uses the new token without refreshing again.
    client.account_services.get_user_privileges()
    assert wire.token_requests == 1


def test_401_refreshes_and_retries_once(make_client: MakeClient, oauth_token: TokenMaker) -> None:
    token = oauth_token()
    store = Store(token)
    client, wire = make_client(token, token_updater=store.update)
    expire_server_side(token)  # valid by the client's clock, but the service no longer accepts it

    assert client.account_services.get_account_by_id()["encoded_account_id"]
    assert wire.api == [401, 200] and wire.token_requests == 1
    assert len(store.updates) == 1 and client.token == store.updates[0]


def test_no_second_retry_when_the_renewed_token_fails_too(make_client: MakeClient, oauth_token: TokenMaker) -> None:
    token = oauth_token()
    updates: list[dict[str, Any]] = []

    def revoke_on_arrival(new: dict[str, Any]) -> None:
        updates.append(new)
        expire_server_side(new)  # the renewed token is refused as well

    client, wire = make_client(token, token_updater=revoke_on_arrival)
    expire_server_side(token)
    with pytest.raises(Unauthorized):
        client.account_services.get_user_privileges()
    assert wire.api == [401, 401], "one retry, then the 401 is raised"
    assert wire.token_requests == 1 and len(updates) == 1


def test_refused_refresh_raises_unauthorized(make_client: MakeClient, oauth_token: TokenMaker) -> None:
    token = oauth_token()
    RefreshToken.objects.filter(token_checksum__isnull=False).update(revoked="2000-01-01T00:00:00Z")
    token["expires_at"] = time.time() - 60
    client, wire = make_client(token)
    with pytest.raises(Unauthorized) as caught:
        client.account_services.get_user_privileges()
    assert caught.value.error_key == "invalid_grant"
    assert wire.token_requests == 1 and wire.api == []


def test_public_client_refreshes_with_its_client_id(
    make_client: MakeClient, oauth_token: TokenMaker, app: Application
) -> None:
    token = oauth_token()
    app.client_type = Application.CLIENT_PUBLIC
    app.save()
    token["expires_at"] = time.time() - 60
    client, wire = make_client(token, client_secret=None)
    assert client.account_services.get_user_privileges()
    assert wire.token_requests == 1


def test_threads_of_one_client_refresh_once(make_client: MakeClient, oauth_token: TokenMaker) -> None:
    token = oauth_token()
    token["expires_at"] = time.time() - 60
    store = Store(token)
    client, wire = make_client(token, token_updater=store.update)
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def work() -> None:
        start.wait(timeout=10)
        try:
            client.account_services.get_user_privileges()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures
    assert wire.token_requests == 1 and len(store.updates) == 1
    assert wire.api == [200] * 4


# --- several processes, one connection ---------------------------------------------------------


@pytest.mark.parametrize("processes", [3])
def test_processes_sharing_a_connection_refresh_once(
    server: str, app: Application, oauth_token: TokenMaker, tmp_path: Path, processes: int
) -> None:
    token = oauth_token()
    token["expires_at"] = time.time() - 60
    store_path = tmp_path / "token.json"
    store_path.write_text(json.dumps(token))
    connection_key = f"test-{uuid.uuid4().hex}"
    config = {
        "base_url": server + "/v3",
        "token_url": server + TOKEN_PATH,
        "client_id": app.client_id,
        "client_secret": SECRET,
        "connection_key": connection_key,
        "redis_url": REDIS_URL,
        "rate_limit_per_second": 1000,
    }
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes)
    results = context.Queue()
    children = [
        context.Process(target=workers.call_with_shared_token, args=(config, str(store_path), start, results))
        for _ in range(processes)
    ]
    try:
        for child in children:
            child.start()
        outcomes = [results.get(timeout=60) for _ in children]
    finally:
        for child in children:
            child.join(timeout=30)
        shared = redis.Redis.from_url(REDIS_URL)
        for key in shared.scan_iter(f"*{connection_key}*"):
            shared.delete(key)
        for key in shared.scan_iter(f"*{app.client_id}*"):
            shared.delete(key)
    assert [status for status, _ in outcomes] == ["ok"] * processes, outcomes
    # Every process ended on the one token the single refresh produced.
    assert len({access for _, access in outcomes}) == 1
    assert RefreshToken.objects.filter(application=app).count() == 2, "the original and exactly one rotation"
    assert AccessToken.objects.filter(application=app).count() == 1
