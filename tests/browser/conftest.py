"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's live server.

The live server serves the dashboard and the built-in V3 service from one (transactional) test
database; the dashboard's ``CTCT_*`` settings point at it, so a page's client calls the service
over real HTTP. One Chromium per test package, a fresh context (no cookies, no storage) per test,
and a screenshot of every test's last page under ``var/test/screenshots/``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Playwright's sync API keeps an asyncio event loop running in the test thread, and Django refuses
# ORM calls from a thread with a running loop. Here that thread only drives the browser and makes
# or reads fixture rows between steps; every request the browser sends is served (and its database
# work done) in the live server's threads, so the check guards nothing in these tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright  # noqa: E402

from apps.accounts.models import Connection, Workspace  # noqa: E402
from apps.v3.account.models import AccountMembership  # noqa: E402
from apps.v3.oauth.tokens import issue_token  # noqa: E402
from tests.dashboard.accounts.browser import PASSWORD  # noqa: E402
from tests.dashboard.accounts.conftest import Service, cc_owner, service  # noqa: E402
from tests.dashboard.accounts.factories import ConnectionFactory, WorkspaceMembershipFactory  # noqa: E402
from tests.dashboard.conftest import live_v3  # noqa: E402 - what ``service`` builds on
from tests.v3.factories import MembershipFactory  # noqa: E402

__all__ = ["PASSWORD", "Service", "cc_owner", "live_v3", "service"]  # the sign-in fixtures, shared with tests/dashboard

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "test" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# No network on the test machines: without these Chromium keeps dialling Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# How long a locator assertion or action may wait: generous, since a page may wait on the
# service (its own HTTP round trips) and a job on the worker.
TIMEOUT_MS = 15_000

# What the dashboard asks for at sign-in, less offline_access: a minted token is not refreshed.
SCOPES = ["account_read", "account_update", "contact_data", "campaign_data"]

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is a browser test (``-m "not browser"`` must leave them all out); refuse one unmarked."""
    here = Path(__file__).parent
    unmarked = [i.nodeid for i in items if i.path.is_relative_to(here) and not i.get_closest_marker("browser")]
    if unmarked:
        raise pytest.UsageError(f"browser tests without @pytest.mark.browser: {', '.join(unmarked)}")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the tests of this package (stopped, with its loop, after them)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Signals:
    """What a page met that no test expects: script errors, server errors, requests leaving the live server."""

    page_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


@pytest.fixture
def signals() -> Signals:
    """The test's record of script errors and foreign requests, checked when its page closes."""
    return Signals()


@pytest.fixture
def context(browser: Browser, service: Service, signals: Signals) -> Iterator[BrowserContext]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    # Pages cache an account's lists and tags per connection, and connection ids repeat from test
    # to test once the tables are flushed; no test may see another's.
    cache.clear()
    context = browser.new_context(base_url=service.url, accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)

    def only_the_live_server(route: Route) -> None:
        # Assets come from the site itself, never from a CDN; anything else is a bug to report.
        if urlsplit(route.request.url).netloc == urlsplit(service.url).netloc:
            route.continue_()
        else:
            signals.foreign_requests.append(route.request.url)
            route.abort()

    context.route(re.compile(r"^https?://"), only_the_live_server)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, signals: Signals, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in the test's context; its last state is saved as a screenshot, pass or fail."""
    page = context.new_page()
    page.on("pageerror", lambda error: signals.page_errors.append(str(error)))
    # An htmx request answered 500 is swapped nowhere: without this a test would only time out.
    page.on("response", lambda r: signals.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    yield page
    if not page.is_closed():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert not signals.page_errors, f"script errors on the page: {signals.page_errors}"
    assert not signals.server_errors, f"server errors: {signals.server_errors}"
    assert not signals.foreign_requests, f"requests to other hosts: {signals.foreign_requests}"


@dataclass
class Connected:
    """A dashboard user signed in in the browser, whose active connection reaches an account of the service."""

    user: Any
    workspace: Workspace
    connection: Connection
    owner: AccountMembership  # the service user and account behind the connection's token

    @property
    def account(self) -> Any:
        """The service's ``Account`` behind the connection."""
        return self.owner.account


@pytest.fixture
def connected(service: Service, context: BrowserContext) -> Connected:
    """A workspace owner with a connection to a fresh service account, signed in in the test's browser.

    The sign-in flow itself is test_sign_in's subject; the other tests start signed in: the
    connection holds a token minted by the service and the browser gets the user's session cookie.
    """
    owner = MembershipFactory.create(account__organization_name="Harbor Bakery")
    access = issue_token(owner.account, owner.user, SCOPES, service.application)
    membership = WorkspaceMembershipFactory.create(workspace__name="Harbor Bakery")
    connection = ConnectionFactory.create(
        workspace=membership.workspace,
        encoded_account_id=owner.account.encoded_account_id,
        organization_name=owner.account.organization_name,
        api_base_url=f"{service.url}/v3",
        token_url=f"{service.url}/oauth2/default/v1/token",
        token={"access_token": access, "token_type": "Bearer", "expires_at": time.time() + 86_400},
    )
    client = Client()
    client.force_login(membership.user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": session.key, "value": session.value, "url": service.url, "httpOnly": True, "sameSite": "Lax"}]
    )
    return Connected(membership.user, membership.workspace, connection, owner)
