"""Benchmark an event's registrations listing and its public registration POST; not part of the test suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> DJANGO_SETTINGS_MODULE=ctctdash.settings.test \\
        .venv/bin/python bench/bench_events.py

It builds a throwaway database next to the configured one (Django's test-database machinery, so
nothing the configured database holds is touched) and fills one event's track with 20,000
registrations (names, statuses, payments, ticket counts and totals spread out, one ticket row per
seat). Then:

1. ``GET /v3/events/{id}/tracks/{track}/registrations`` through Django's test client with a real
   bearer token, sorted by each allowed field (and unsorted): the first page against the 100th,
   reached by following ``next`` cursors; keyset paging should make them cost the same (target:
   page 100 at most 1.5x page 1). Median and 95th percentile per request, and the queries each made.
2. The public registration POST (``/e/<key>/``) under load, wrk-style: gunicorn serving the same
   database, N keep-alive clients posting registrations back to back for a fixed time; it prints
   requests/s and the latency percentiles.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctctdash.settings.test")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from apps.v3.account.models import Account, AccountMembership, Role  # noqa: E402
from apps.v3.events.models import Event, Registration, Ticket, TicketType, Track  # noqa: E402
from apps.v3.oauth.tokens import issue_token  # noqa: E402
from bench.bench_contacts import measure  # noqa: E402 - the same timing loop as the contacts benchmark

ROOT = Path(__file__).resolve().parents[1]
BATCH = 2000  # rows per INSERT: quick to load, under SQLite's variable limit for these tables
SORTS = ["first_name", "last_name", "email_address", "registration_status", "payment_status", "tickets", "total"]
STATUSES = ["REGISTERED"] * 6 + ["PENDING", "CANCELED", "EXPIRED", "FAILED"]
PAYMENTS = ["", "", "PENDING", "PAID", "PAID", "REFUNDED"]


def seed(registrations: int) -> tuple[str, Event, Event]:
    """A token, an event with ``registrations`` registrations, and an open event for the POST load."""
    user = User.objects.create_user("bench", password="bench-only")  # noqa: S106
    account = Account.objects.create(organization_name="Bench")
    AccountMembership.objects.create(account=account, user=user, role=Role.ACCOUNT_OWNER)
    application = Application.objects.create(
        name="bench",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1/callback",
    )
    token = issue_token(account, user, ["campaign_data"], application)
    start = timezone.now() + timezone.timedelta(days=30)
    events = []
    for name in ("Listed", "Open"):
        event = Event.objects.create(
            account=account, name=name, title=name, status="ACTIVE", event_start=start, event_end=start
        )
        event.event_end = start + timezone.timedelta(hours=3)
        event.save()
        track = Track.objects.create(event=event, overall_ticket_capacity=10_000_000)
        TicketType.objects.create(track=track, name="General Admission")
        events.append(event)
    listed, open_event = events
    ticket_type = listed.track.ticket_types.get()
    now = timezone.now()
    first_names = ["Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ida", "Jo", "Kit", "Lu", "Mo"]
    seats = 0
    for low in range(0, registrations, BATCH):
        batch = Registration.objects.bulk_create(
            Registration(
                account=account,
                track=listed.track,
                first_name=f"{first_names[n % len(first_names)]}{n % 211}",
                last_name=f"Last{(n * 7919) % registrations}",
                email_address=f"r{(n * 104729) % registrations}@example.com",
                registration_status=STATUSES[n % len(STATUSES)],
                registration_time=now - timezone.timedelta(seconds=n),
                payment_method="DOOR" if PAYMENTS[n % len(PAYMENTS)] else "",
                payment_status=PAYMENTS[n % len(PAYMENTS)],
                tickets=1 + n % 4,
                total=Decimal(25 * (n % 4)) if PAYMENTS[n % len(PAYMENTS)] else Decimal(0),
            )
            for n in range(low, min(low + BATCH, registrations))
        )
        Ticket.objects.bulk_create(
            Ticket(registration=r, ticket_type=ticket_type, ticket_name="General Admission", price=0)
            for r in batch
            for _ in range(r.tickets)
        )
        seats += sum(r.tickets for r in batch)
    Track.objects.filter(pk=listed.track.pk).update(seats_taken=seats)
    return token, listed, open_event


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def interleaved(first: Callable[[], Any], deep: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall times (ms) of both calls, taken in turn: a machine whose load changes meanwhile slows both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, into in ((first, times[0]), (deep, times[1])):
            started = time.perf_counter()
            call()
            into.append((time.perf_counter() - started) * 1000)
    return times


def plan(call: Callable[[], Any]) -> str:
    """PostgreSQL's plan of the query that reads the page's registrations."""
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        call()
    sql = next(q["sql"] for q in queries if 'FROM "v3_registration"' in q["sql"] and "LIMIT" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql)
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def listing(
    client: Client, base: str, repeat: int, depth: int, explain: bool
) -> list[tuple[str, float, float, float, float, int]]:
    """Each sort: page 1 and page ``depth`` timings."""

    def get(path: str) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(path)
            assert response.status_code == 200, response.content[:300]
            return response

        return call

    rows = []
    for sort in [None, *SORTS]:
        query = {"limit": "50", **({"sort_by": sort} if sort else {})}
        first = f"{base}?{urlencode(query)}"
        href = first
        for _ in range(depth - 1):
            href = client.get(href).json()["_links"]["next"]["href"]
        _, queries = measure(get(first), 1)
        one, deep = interleaved(get(first), get(href), repeat)
        label = sort or "(unsorted: newest first)"
        rows.append(
            (
                label,
                statistics.median(one),
                statistics.median(deep),
                percentile(deep, 0.95),
                statistics.median(deep) / statistics.median(one),
                queries,
            )
        )
        if explain and connection.vendor == "postgresql":
            print(f"--- {label}, page {depth}\n{plan(get(href))}")
    return rows


def serve(database_name: str, port: int) -> subprocess.Popen[bytes]:
    """gunicorn on the bench database (2 workers, 4 threads each: the machine's two cores)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="ctctdash.settings.test", PORT=str(port))
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        where = f"{db['HOST']}:{db['PORT'] or 5432}"
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{where}/{database_name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{database_name}"
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "ctctdash.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        "2",
        "--threads",
        "4",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/e/nosuchkey/", timeout=5)
            return server
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)  # the server is still starting: poll until it answers or the deadline passes
    server.kill()
    raise SystemExit("gunicorn did not start")


def load(url: str, clients: int, seconds: float, field: str) -> tuple[list[float], int, float]:
    """``clients`` keep-alive sessions posting registrations for ``seconds``: latencies (ms), failures, elapsed."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        with requests.Session() as session:
            page = session.get(url, timeout=30)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            assert token is not None
            i = 0
            while time.monotonic() < stop:
                i += 1
                data = {
                    "csrfmiddlewaretoken": token.group(1),
                    "first_name": "Load",
                    "last_name": f"{n}-{i}",
                    "email_address": f"load{n}-{i}@example.com",
                    field: "1",
                }
                started = time.perf_counter()
                response = session.post(url, data=data, timeout=30, allow_redirects=False)
                took = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code == 303:
                        latencies.append(took)
                    else:
                        failures[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures[0], time.monotonic() - started


def main() -> None:
    """Seed, time the listing and the POST load, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--depth", type=int, default=100, help="which page to compare with the first")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients posting registrations")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the POST load runs")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--explain", action="store_true", help="print the plan of each deep page's query")
    args = parser.parse_args()

    setup_test_environment()
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / "bench-events.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        token, listed, open_event = seed(args.registrations)
        seeded = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        base = f"/v3/events/{listed.event_id}/tracks/{listed.track.track_id}/registrations"
        rows = listing(client, base, args.repeat, args.depth, args.explain)
        print(
            f"\n{connection.vendor}: {args.registrations:,} registrations seeded in {seeded:.1f} s; "
            f"limit=50, {args.repeat} timed requests each"
        )
        print(
            f"{'sort_by':<28} {'page 1 ms':>10} {f'page {args.depth} ms':>12} {'p95 ms':>8} {'ratio':>6} {'queries':>8}"
        )
        for sort, one, deep, high, ratio, queries in rows:
            print(f"{sort:<28} {one:>10.1f} {deep:>12.1f} {high:>8.1f} {ratio:>6.2f} {queries:>8}")
        worst = max(r[4] for r in rows)
        print(f"worst page {args.depth} / page 1 (median): {worst:.2f}  (target <= 1.5)")

        connection.close()  # the server's workers open their own connections to the same database
        server = serve(str(connection.settings_dict["NAME"]), args.port)
        try:
            field = f"ticket_{open_event.track.ticket_types.get().ticket_id}"
            url = f"http://127.0.0.1:{args.port}/e/{open_event.registration_key}/"
            latencies, failures, elapsed = load(url, args.clients, args.seconds, field)
        finally:
            server.terminate()
            server.wait(timeout=30)
        done = len(latencies)
        print(
            f"\nPOST /e/<key>/ (register, 1 seat each): gunicorn 2 workers x 4 threads, {args.clients} clients, "
            f"{elapsed:.1f} s"
        )
        print(f"{'requests':>9} {'failed':>7} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
        print(
            f"{done:>9} {failures:>7} {done / elapsed:>8.1f} {percentile(latencies, 0.5):>8.1f} "
            f"{percentile(latencies, 0.9):>8.1f} {percentile(latencies, 0.99):>8.1f}"
        )
        tickets = Ticket.objects.filter(registration__track=open_event.track).count()
        print(f"tickets issued: {tickets} (one per successful POST: {tickets == done})")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
