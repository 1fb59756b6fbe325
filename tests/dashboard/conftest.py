"""Fixtures shared by the dashboard's page tests: the built-in V3 service on a live server, and
dashboard users whose active connection's client reaches it over real HTTP.

The pages are driven with Django's test client in this process; the client of the user's active
connection (``apps.accounts.services.client_for``) calls the live server, which serves the V3
API from the same (transactional) database. Tokens are minted with the service's own machinery
(``issue_token``): tests may import ``apps.v3``, the dashboard may not.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client as PageClient
from oauth2_provider.models import Application
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.accounts.models import Connection, Role, Workspace
from apps.accounts.services import client_for_connection
from apps.ctct import Client
from apps.v3.account.models import AccountMembership
from apps.v3.campaigns.engine import runs
from apps.v3.oauth.tokens import issue_token
from tests.dashboard.accounts.factories import ConnectionFactory, WorkspaceMembershipFactory
from tests.v3.factories import ApplicationFactory, MembershipFactory

DASHBOARD_CLIENT_ID = "ctctdash-dashboard"
DASHBOARD_CLIENT_SECRET = "dashboard-secret-for-tests"  # noqa: S105 - a fixture value
SCOPES = ["account_read", "account_update", "contact_data", "campaign_data"]


@dataclass
class LiveV3:
    """The live built-in service and the dashboard's application registered on it."""

    url: str
    application: Application

    @property
    def api_base_url(self) -> str:
        """Where connections to it point their clients."""
        return f"{self.url}/v3"


@pytest.fixture
def live_v3(live_server: Any, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch) -> LiveV3:
    """The dashboard's ``CTCT_*`` settings pointed at the live server, its application registered there."""
    # The live server speaks plain HTTP on loopback; oauthlib refuses that unless told.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    url = str(live_server.url)
    settings.CTCT_API_BASE_URL = f"{url}/v3"
    settings.CTCT_AUTHORIZE_URL = f"{url}/oauth2/default/v1/authorize"
    settings.CTCT_TOKEN_URL = f"{url}/oauth2/default/v1/token"
    settings.CTCT_CLIENT_ID = DASHBOARD_CLIENT_ID
    settings.CTCT_CLIENT_SECRET = DASHBOARD_CLIENT_SECRET
    # The client's own limiter would pace a test to Constant Contact's 4 requests a second.
    settings.CTCT_RATE_LIMIT_PER_SECOND = 10_000
    # ... and its daily count lives in a file every run of the day shares.
    settings.CTCT_RATE_LIMIT_PER_DAY = 10_000_000
    # Pages remember an account's lists and tags per connection; no test may see another's.
    cache.clear()
    application: Application = ApplicationFactory(
        name="ctctdash dashboard",
        client_id=DASHBOARD_CLIENT_ID,
        client_secret=DASHBOARD_CLIENT_SECRET,
        redirect_uris=f"{url}/accounts/constantcontact/login/callback/",
    )
    return LiveV3(url, application)


@dataclass
class Connected:
    """A dashboard user, their workspace, and its connection to an account of the live service."""

    user: Any
    workspace: Workspace
    connection: Connection
    owner: AccountMembership  # the service-side user and account the connection's token is for

    @property
    def account(self) -> Any:
        """The service's ``Account`` behind the connection."""
        return self.owner.account

    def pages(self) -> PageClient:
        """A test client signed in as the dashboard user (their only connection is the active one)."""
        client = PageClient()
        client.force_login(self.user)
        return client


ConnectFactory = Callable[..., Connected]


@pytest.fixture
def connect(live_v3: LiveV3) -> ConnectFactory:
    """``connect(role=..., owner=...)``: a workspace member whose connection holds a token for ``owner``'s account.

    Without ``owner`` a fresh service account (and owner) is made; passing another ``Connected``'s
    ``owner`` puts two workspaces on the same account.
    """

    def make(role: str = Role.OWNER, owner: AccountMembership | None = None) -> Connected:
        owner = owner or MembershipFactory()
        access = issue_token(owner.account, owner.user, SCOPES, live_v3.application)
        membership = WorkspaceMembershipFactory(role=role)
        connection = ConnectionFactory(
            workspace=membership.workspace,
            encoded_account_id=owner.account.encoded_account_id,
            organization_name=owner.account.organization_name,
            api_base_url=live_v3.api_base_url,
            token_url=f"{live_v3.url}/oauth2/default/v1/token",
            token={"access_token": access, "token_type": "Bearer", "expires_at": time.time() + 86_400},
        )
        return Connected(membership.user, membership.workspace, connection, owner)

    return make


@pytest.fixture
def connected(connect: ConnectFactory) -> Connected:
    """A workspace owner connected to a fresh account of the live service."""
    return connect()


@pytest.fixture
def pages(connected: Connected) -> PageClient:
    """``connected``'s browser: the signed-in workspace owner."""
    return connected.pages()


@pytest.fixture
def api(connected: Connected) -> Iterator[Client]:
    """The V3 client of ``connected``'s connection: arranges and checks data over HTTP as the pages do."""
    with client_for_connection(connected.connection) as client:
        yield client


def page_text(response: HttpResponse) -> str:
    """A page's HTML with entities decoded."""
    return html.unescape(response.content.decode())


def announced_error(response: HttpResponse, field_id: str) -> str:
    """The text of the ``role="alert"`` error list tied to input ``field_id`` (``id_name``), or ""."""
    found = re.search(
        rf'<div id="{field_id}_error" role="alert"><ul class="errorlist">(.*?)</ul>', response.content.decode()
    )
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


def pager_link(response: HttpResponse, rel: str) -> str | None:
    """The href of the pager's ``rel`` link (next, prev), or None: the same pager on every listing."""
    found = re.search(rf'<a href="([^"]+)"[^>]*rel="{rel}"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def link_texts(page: str, prefix: str) -> list[str]:
    """The texts of the links to ``<prefix><id>/`` pages, in page order: the names a table lists."""
    return re.findall(rf'<a href="{re.escape(prefix)}[^/"]+/">([^<]+)</a>', page)


def form_values(response: HttpResponse) -> dict[str, Any]:
    """What a browser would post back from the page's ``form`` unchanged (checkboxes as lists)."""
    bound = response.context["form"]
    data: dict[str, Any] = {}
    for name in bound.fields:
        value = bound[name].value()
        if value is None or value is False:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


@pytest.fixture
def sends_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Campaign runs the live service starts stay off the broker: the test mails them in this process.

    A page test schedules through the live server, whose commit enqueues the run's task. Once an
    earlier test has started the session's Celery worker (tests/worker.py), that worker would take the
    run from the broker and mail it from its own process, where this test can neither read the mail
    nor point it at its SMTP sink. The tests call the engine themselves (``send.process``), as the
    worker would; the worker itself is tested in tests/v3/campaigns/test_send_worker.py.
    """
    monkeypatch.setattr(runs, "enqueue", lambda run_pk: None)
