"""Pointing the client at Constant Contact is configuration only.

Two tiny HTTP servers on 127.0.0.1 stand in for the real hosts (never the internet): one answers the
API's ``/v3`` paths as ``api.cc.email`` does, the other the token endpoint as
``authz.constantcontact.com`` does. The client is built exactly as for the built-in service, with
only ``base_url`` and ``token_url`` changed.
"""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import fields
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from apps.ctct import Client, ClientConfig, ServerError, Throttled, Unauthorized
from apps.ctct.config import CC_BASE_URL, CC_TOKEN_URL

CLIENT_ID = "real-app-key"
CLIENT_SECRET = "real-app-secret"
API_KEY = "partner-api-key"


class FakeCC:
    """The state both stub hosts share: the live tokens and what arrived."""

    def __init__(self) -> None:
        self.access = "access-1"
        self.refresh = "refresh-1"
        self.generation = 1
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.throttle_next = 0

    def rotate(self) -> dict[str, Any]:
        self.generation += 1
        self.access, self.refresh = f"access-{self.generation}", f"refresh-{self.generation}"
        return {"access_token": self.access, "refresh_token": self.refresh, "token_type": "Bearer", "expires_in": 86400}


def _form_parts(request: BaseHTTPRequestHandler) -> dict[str, str]:
    """A multipart body's parts by name: file parts as ``filename:content``."""
    raw = request.rfile.read(int(request.headers["Content-Length"]))
    message = BytesParser(policy=default).parsebytes(
        f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode() + raw
    )
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True).decode()
        filename = part.get_filename()
        parts[str(name)] = f"{filename}:{content}" if filename else content
    return parts


def _handler(state: FakeCC, api: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def _send(self, status: int, body: Any, content_type: str = "application/json", **headers: str) -> None:
            raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            state.requests.append(("POST", self.path, dict(self.headers)))
            if api:  # the one API write these tests make is the multipart CSV import: echo its parts
                return self._send(201, {"activity_id": "a1", "received": _form_parts(self)})
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path != "/oauth2/default/v1/token":
                return self._send(404, [{"error_key": "not_found", "error_message": "no"}])
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {basic}":
                return self._send(401, {"error": "invalid_client", "error_description": "Basic auth expected"})
            if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != state.refresh:
                return self._send(400, {"error": "invalid_grant", "error_description": "refresh token is not valid"})
            return self._send(200, state.rotate())

        def do_GET(self) -> None:
            state.requests.append(("GET", self.path, dict(self.headers)))
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if not api:
                return self._send(404, "no such page", "text/html")
            if self.headers.get("Authorization") != f"Bearer {state.access}":
                return self._send(401, {"error_key": "unauthorized", "error_message": "Unauthorized"})
            if state.throttle_next:
                state.throttle_next -= 1
                return self._send(
                    429, [{"error_key": "throttled", "error_message": "Too many requests"}], Retry_After="0"
                )
            if url.path == "/v3/account/summary":
                return self._send(200, {"encoded_account_id": "a07e1real", "organization_name": "Real Co"})
            if url.path == "/v3/contacts":
                return self._contacts(query)
            if url.path == "/v3/partner/accounts":
                if self.headers.get("x-api-key") != API_KEY:
                    return self._send(403, [{"error_key": "forbidden", "error_message": "api key"}])
                return self._send(200, {"site_owner_list": [], "_links": {}})
            if url.path.endswith("/tracking/bounces"):
                return self._send(200, {"tracking_activities": [], "query": url.query})
            if url.path == "/v3/emails":
                return self._send(503, "<html>Service Unavailable</html>", "text/html")
            return self._send(404, [{"error_key": "not_found", "error_message": url.path}])

        def _contacts(self, query: dict[str, str]) -> None:
            # As api.cc.email answers: the next link is relative to the host and carries the cursor.
            assert query.get("include") == "custom_fields,list_memberships", query
            pages = {None: (["c1", "c2"], "p2"), "p2": (["c3", "c4"], "p3"), "p3": (["c5"], None)}
            ids, following = pages[query.get("cursor")]
            links = {"next": {"href": f"/v3/contacts?cursor={following}&include={query['include']}"}}
            return self._send(200, {"contacts": [{"contact_id": i} for i in ids], "_links": links if following else {}})

    return Handler


@pytest.fixture
def fake_cc() -> Iterator[tuple[FakeCC, str, str]]:
    """(state, api origin, authz origin): two stub hosts on loopback ports of their own."""
    state = FakeCC()
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _handler(state, api)) for api in (True, False)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    origins = [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    yield state, origins[0], origins[1]
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def real_client(fake_cc: tuple[FakeCC, str, str]) -> Callable[..., Client]:
    state, api, authz = fake_cc

    def make(**overrides: Any) -> Client:
        config = ClientConfig(
            # Exactly as a real connection is configured, with the hosts swapped for the stubs.
            base_url=CC_BASE_URL.replace("https://api.cc.email", api),
            token_url=CC_TOKEN_URL.replace("https://authz.constantcontact.com", authz),
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            token={"access_token": state.access, "refresh_token": state.refresh, "token_type": "Bearer"},
            rate_limit_backend="memory",
            backoff_base=0.01,
            **overrides,
        )
        return Client(config)

    return make


def test_defaults_are_the_real_hosts() -> None:
    config = ClientConfig()
    assert config.base_url == "https://api.cc.email/v3"
    assert config.token_url == "https://authz.constantcontact.com/oauth2/default/v1/token"
    assert (config.rate_limit_per_second, config.rate_limit_per_day) == (4, 10_000)
    # Nothing in the configuration names the built-in service: switching is these two URLs.
    assert {f.name for f in fields(ClientConfig) if "url" in f.name} == {"base_url", "token_url", "redis_url"}


def test_calls_and_pages_like_the_real_api(real_client: Callable[..., Client], fake_cc: Any) -> None:
    state, _, _ = fake_cc
    client = real_client()
    assert client.account_services.get_account_by_id()["organization_name"] == "Real Co"
    ids = [c["contact_id"] for c in client.contacts.iter_contacts(include=["custom_fields", "list_memberships"])]
    assert ids == ["c1", "c2", "c3", "c4", "c5"]
    paths = [path for method, path, _ in state.requests if method == "GET"]
    assert paths[-2:] == [
        "/v3/contacts?cursor=p2&include=custom_fields,list_memberships",
        "/v3/contacts?cursor=p3&include=custom_fields,list_memberships",
    ], "the host-relative next links resolved against the API origin, keeping /v3"


def test_401_refreshes_at_the_authz_host_with_basic_auth(real_client: Callable[..., Client], fake_cc: Any) -> None:
    state, _, _ = fake_cc
    updates: list[dict[str, Any]] = []
    client = real_client(token_updater=updates.append)
    state.access = "revoked-at-the-real-host"  # the client's access token is refused; its refresh token is good
    assert client.account_services.get_account_by_id()["encoded_account_id"] == "a07e1real"
    assert [u["access_token"] for u in updates] == [state.access]
    token_calls = [headers for _, path, headers in state.requests if path == "/oauth2/default/v1/token"]
    assert len(token_calls) == 1 and token_calls[0]["Authorization"].startswith("Basic ")


def test_refused_refresh_at_the_real_host(real_client: Callable[..., Client], fake_cc: Any) -> None:
    state, _, _ = fake_cc
    client = real_client()
    state.access, state.refresh = "rotated-elsewhere", "rotated-elsewhere"  # another process refreshed first
    with pytest.raises(Unauthorized) as caught:
        client.account_services.get_account_by_id()
    assert caught.value.error_key == "invalid_grant"
    assert caught.value.error_message == "refresh token is not valid"


def test_partner_calls_carry_the_api_key(real_client: Callable[..., Client]) -> None:
    client = real_client(api_key=API_KEY)
    assert client.technology_partners.get_partner_site_owners() == {"site_owner_list": [], "_links": {}}


def test_throttled_then_success_and_non_json_server_error(real_client: Callable[..., Client], fake_cc: Any) -> None:
    state, _, _ = fake_cc
    client = real_client()
    state.throttle_next = 2
    assert client.account_services.get_account_by_id()["organization_name"] == "Real Co"
    state.throttle_next = 5
    with pytest.raises(Throttled):
        real_client(throttle_retries=1).account_services.get_account_by_id()
    with pytest.raises(ServerError) as caught:
        client.email_campaigns.retrieve_email_campaigns_using_get()
    assert caught.value.status == 503 and caught.value.error_key is None
    assert caught.value.error_message == "<html>Service Unavailable</html>"


def test_multipart_and_repeated_query_parameters(real_client: Callable[..., Client]) -> None:
    client = real_client()
    csv = io.BytesIO(b"email\nann@example.com\n")
    csv.name = "/tmp/contacts.csv"
    created = client.bulk_activities.contacts_csv_import(file=csv, list_ids=["l1", "l2"])
    assert created["received"] == {"file": "contacts.csv:email\nann@example.com\n", "list_ids": "l1,l2"}
    # bounce_code is an array declared ``collectionFormat: multi``: one key per value, not commas.
    bounces = client.email_reporting.get_bounces("act-1", bounce_code=["B", "D"], limit=50)
    assert bounces["query"] == "bounce_code=B&bounce_code=D&limit=50"
