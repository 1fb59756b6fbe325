"""Benchmark the dashboard's contacts list page against the V3 call under it; not part of the test suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> DJANGO_SETTINGS_MODULE=ctctdash.settings.test \\
        .venv/bin/python bench/bench_dashboard_contacts.py

It builds a throwaway database next to the configured one (Django's test-database machinery, so
nothing the configured database holds is touched), fills one account of the built-in service with
100,000 contacts (``bench_contacts.seed``: each on two of five lists, tagged, with custom field
values), connects a dashboard workspace to it, and
serves the whole site from a WSGI server in a thread on 127.0.0.1. Then it times, alternately:

- the V3 call the list page makes, ``GET /v3/contacts?limit=50&include=list_memberships&include_count=true``,
  sent with ``requests`` straight to that server;
- the dashboard's ``GET /contacts/`` through Django's test client in this process (session, sign-in,
  the connection's decrypted token, the client, that same V3 call over HTTP, the template).

and the same for the second page (the next link's cursor). It prints the median and 95th
percentile of each and the page/API ratio (target: the page at most 1.5 times the API call).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctctdash.settings.test")
# The bench server speaks plain HTTP on loopback; oauthlib refuses that unless told.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from bench_contacts import p95, seed  # noqa: E402 - the API bench's account, so both time the same data
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402

from apps.accounts.models import Connection, Membership, Role, Workspace  # noqa: E402
from apps.v3.account.models import Account  # noqa: E402

# Only the dashboard's settings name them: the token is minted directly, so nothing is refreshed.
CLIENT_ID = "ctctdash-dashboard-bench"
CLIENT_SECRET = "bench-only-secret"  # noqa: S105 - a throwaway value in a throwaway database


def connect_dashboard(account: Account, token: str, api_base_url: str) -> User:
    """A dashboard user owning a workspace whose one connection holds ``token``."""
    user = User.objects.create_user("bench-marketer")
    workspace = Workspace.objects.create(name="Bench agency")
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    Connection.objects.create(
        workspace=workspace,
        encoded_account_id=account.encoded_account_id,
        api_base_url=api_base_url,
        token_url=api_base_url.replace("/v3", "/oauth2/default/v1/token"),
        organization_name=account.organization_name,
        token={"access_token": token, "token_type": "Bearer", "expires_at": time.time() + 86_400},
    )
    return user


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """No access log: it would be timed along with the requests."""


class Server:
    """The site on a free loopback port, served from one thread (so one database connection, kept)."""

    def __init__(self) -> None:
        self.httpd = WSGIServer(("127.0.0.1", 0), _QuietHandler, ipv6=False)
        self.httpd.set_app(WSGIHandler())
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        # The socket listens from here on, so requests can be sent as soon as the thread runs.
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.httpd.serve_forever()
        finally:
            connections.close_all()  # this thread's: the test database cannot be dropped while it is open

    def stop(self) -> None:
        """Stop serving and wait until the thread has closed its database connection."""
        self.httpd.shutdown()
        self.thread.join()
        self.httpd.server_close()


def timed(call: Callable[[], Any]) -> float:
    """Milliseconds one call took."""
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    """Seed, serve, time the pairs, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()

    # Not setup_test_environment(): its instrumented template rendering copies every context for
    # the test client to inspect, which would be timed as the page's own cost. Only its host is wanted.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    db = settings.DATABASES["default"]
    # Kept connections in both threads: the API call is timed at its fastest, which makes the ratio strict.
    db["CONN_MAX_AGE"] = 600
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / "bench-dashboard-contacts.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = None
    try:
        started = time.perf_counter()
        account, token = seed(args.contacts)
        seeded = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live database
        server = Server()
        origin = server.origin
        api = f"{origin}/v3"
        settings.CTCT_API_BASE_URL = api
        settings.CTCT_TOKEN_URL = f"{origin}/oauth2/default/v1/token"
        settings.CTCT_CLIENT_ID, settings.CTCT_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
        # Constant Contact's 4 a second would pace the bench, not measure it.
        settings.CTCT_RATE_LIMIT_PER_SECOND = settings.CTCT_RATE_LIMIT_PER_DAY = 10_000_000
        user = connect_dashboard(account, token, api)
        browser = Client()
        browser.force_login(user)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        first_api = f"{api}/contacts?" + urlencode(
            {"limit": 50, "include": "list_memberships", "include_count": "true"}
        )
        second_api = origin + session.get(first_api, timeout=30).json()["_links"]["next"]["href"]

        def api_get(url: str) -> Callable[[], Any]:
            def call() -> None:
                response = session.get(url, timeout=30)
                assert response.status_code == 200, response.text[:300]

            return call

        def page_get(path: str, cold: bool = False, **headers: str) -> Callable[[], Any]:
            def call() -> None:
                if cold:
                    cache.clear()  # the lists, tags and segments are read again (three more calls)
                response = browser.get(path, **headers)
                assert response.status_code == 200, response.content[:300]
                assert b"c0@example.com" in response.content or b"c50@example.com" in response.content

            return call

        page_two = "/contacts/?" + urlencode({"cursor": second_api.split("?", 1)[1], "back": "", "page": 2})
        pairs = [
            ("first page", api_get(first_api), page_get("/contacts/")),
            ("first page, htmx rows fragment", api_get(first_api), page_get("/contacts/", HTTP_HX_REQUEST="true")),
            ("second page (cursor)", api_get(second_api), page_get(page_two)),
            ("first page, choices not yet read", api_get(first_api), page_get("/contacts/", cold=True)),
        ]
        results = []
        for label, api_call, page_call in pairs:
            api_call(), page_call()  # warm-up: imports, template compilation, the choices cache
            api_times, page_times = [], []
            for _ in range(args.repeat):  # alternated, so drift hits both sides alike
                api_times.append(timed(api_call))
                page_times.append(timed(page_call))
            results.append((label, api_times, page_times))

        print(
            f"\n{connection.vendor}: {args.contacts:,} contacts seeded in {seeded:.1f} s;",
            f"{args.repeat} timed requests each, alternating API call and page",
        )
        print(f"{'scenario':<36} {'API median':>10} {'API p95':>8} {'page median':>11} {'page p95':>9} {'ratio':>6}")
        for label, api_times, page_times in results:
            api_median, page_median = statistics.median(api_times), statistics.median(page_times)
            print(
                f"{label:<36} {api_median:>10.1f} {p95(api_times):>8.1f} {page_median:>11.1f}"
                f" {p95(page_times):>9.1f} {page_median / api_median:>6.2f}"
            )
        label, api_times, page_times = results[0]
        ratio = statistics.median(page_times) / statistics.median(api_times)
        print(f"\n{label}: page / API call (median) = {ratio:.2f}  (target <= 1.5)")
    finally:
        if server is not None:
            server.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
