"""Benchmark GET /contacts on an account of 100,000 contacts; not part of the test suite.

    DJANGO_SETTINGS_MODULE=ctctdash.settings.test .venv/bin/python bench/bench_contacts.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> DJANGO_SETTINGS_MODULE=ctctdash.settings.test \\
        .venv/bin/python bench/bench_contacts.py

It builds a throwaway database next to the configured one (Django's test-database machinery, so
nothing the configured database holds is touched), fills one account with contacts on lists,
tagged and with three custom field values each, then times requests through Django's test
client with a real bearer token: the first page against a page 100 pages deep (keyset paging
should make them cost the same), with sub-resources included, filtered by a list, by a tag, and
by a segment. It prints the median and 95th percentile per request and the queries each made.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctctdash.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from apps.v3.account.models import Account, AccountMembership, Role  # noqa: E402
from apps.v3.contacts.models import (  # noqa: E402
    Contact,
    ContactList,
    CustomField,
    CustomFieldValue,
    ListMembership,
    Segment,
    Tag,
    Tagging,
)
from apps.v3.oauth.tokens import issue_token  # noqa: E402

LISTS = 5
TAGS = 5
# Rows per INSERT: large enough that the load is quick, small enough for SQLite's variable limit
# on every table (custom field values have the most columns).
BATCH = 2000


def seed(contacts: int) -> tuple[Account, str]:
    """One account holding ``contacts`` contacts, each on 2 lists, with 1 tag and 3 custom field values."""
    user = User.objects.create_user("bench", password="bench-only")  # noqa: S106
    account = Account.objects.create(organization_name="Bench")
    AccountMembership.objects.create(account=account, user=user, role=Role.ACCOUNT_OWNER)
    application = Application.objects.create(
        name="bench",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1/callback",
    )
    token = issue_token(account, user, ["contact_data"], application)
    lists = [ContactList.objects.create(account=account, name=f"List {n}") for n in range(LISTS)]
    tags = [Tag.objects.create(account=account, name=f"Tag {n}") for n in range(TAGS)]
    fields = [
        CustomField.objects.create(account=account, label=f"Field {n}", name=f"Field_{n}", type="string")
        for n in range(3)
    ]
    permissions = ["explicit", "implicit", "implicit", "unsubscribed"]
    for start in range(0, contacts, BATCH):
        batch = Contact.objects.bulk_create(
            Contact(
                account=account,
                email_address=f"c{n}@example.com",
                first_name=f"First{n}",
                last_name=f"Last{n}",
                permission_to_send=permissions[n % len(permissions)],
            )
            for n in range(start, min(start + BATCH, contacts))
        )
        ListMembership.objects.bulk_create(
            ListMembership(contact=c, contact_list=lists[(c.pk + k) % LISTS]) for c in batch for k in (0, 1)
        )
        Tagging.objects.bulk_create(Tagging(contact=c, tag=tags[c.pk % TAGS]) for c in batch)
        CustomFieldValue.objects.bulk_create(
            CustomFieldValue(contact=c, custom_field=f, value=f"v{c.pk % 97}") for c in batch for f in fields
        )
    return account, token


def measure(call: Callable[[], Any], repeat: int) -> tuple[list[float], int]:
    """Wall times (ms) of ``repeat`` calls after one warm-up, and the queries one call makes."""
    call()
    # Each request starts by clearing the query log, so the capture must start from an empty one.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        call()
    count = len(queries)  # now: the log it reads is cleared again by the next request
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times, count


def explain(label: str, call: Callable[[], Any]) -> None:
    """Print the database's plan for the query that selects the page's contacts."""
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        call()
    sql = next(q["sql"] for q in queries if 'FROM "v3_contact"' in q["sql"] and "LIMIT" in q["sql"])
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        plan = [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
    print(f"--- {label}\n" + "\n".join(plan))


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    """Seed, time every scenario, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--depth", type=int, default=100, help="which page to compare with the first")
    parser.add_argument("--explain", action="store_true", help="print the plan of each request's contacts query")
    args = parser.parse_args()

    setup_test_environment()  # lets the test client's "testserver" host in, as under pytest
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        # Its own file: the pytest database lives next to it and may be in use.
        db.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / "bench-contacts.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        account, token = seed(args.contacts)
        seeded = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live database
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

        def get(path: str) -> Callable[[], Any]:
            def call() -> Any:
                response = client.get(path)
                assert response.status_code == 200, response.content[:300]
                return response

            return call

        def deep(query: dict[str, Any], depth: int = args.depth) -> str:
            """The URL of page ``depth``, reached by following the next links."""
            href = f"/v3/contacts?{urlencode(query)}"
            for _ in range(depth - 1):
                href = json.loads(client.get(href).content)["_links"]["next"]["href"]
            return href

        a_list = ContactList.objects.filter(account=account).first()
        a_tag = Tag.objects.filter(account=account).first()
        assert a_list is not None and a_tag is not None
        include = "custom_fields,list_memberships,taggings"
        base = {"limit": 500}
        scenarios: list[tuple[str, str]] = [
            ("first page, limit=500", f"/v3/contacts?{urlencode(base)}"),
            (f"page {args.depth}, limit=500", deep(base)),
            (f"first page, include={include}", f"/v3/contacts?{urlencode({**base, 'include': include})}"),
            (f"page {args.depth}, include=...", deep({**base, "include": include})),
            ("lists=<one of 5>, first page", f"/v3/contacts?{urlencode({**base, 'lists': a_list.list_id})}"),
            # A list holds 2/5 of the contacts, so it has fewer pages: compare at a third of the depth.
            (f"lists=<one of 5>, page {args.depth // 3}", deep({**base, "lists": a_list.list_id}, args.depth // 3)),
            ("tags=<one of 5>, first page", f"/v3/contacts?{urlencode({**base, 'tags': a_tag.tag_id})}"),
            ("include_count=true", f"/v3/contacts?{urlencode({**base, 'include_count': 'true'})}"),
        ]
        try:
            from apps.v3.contacts.segments import contacts_matching  # noqa: F401 - present once Segments is built

            criteria = {
                "version": "1.0.0",
                "criteria": {
                    "type": "and",
                    "group": [
                        {"source": "contact", "field": "permission_to_send", "op": "eq", "const_value": "explicit"},
                        {
                            "source": "list_membership",
                            "field": "list_id",
                            "op": "contains-any",
                            "const_value": [str(a_list.list_id)],
                        },
                    ],
                },
            }
            segment = Segment.objects.create(account=account, name="Bench", segment_criteria=json.dumps(criteria))
            scenarios.append(("segment_id=<explicit, on a list>", f"/v3/contacts?segment_id={segment.pk}&limit=500"))
        except ImportError:
            print("apps.v3.contacts.segments.contacts_matching is not there yet: no segment scenario")

        results = []
        for label, path in scenarios:
            times, queries = measure(get(path), args.repeat)
            results.append((label, statistics.median(times), p95(times), queries))
            if args.explain:
                explain(label, get(path))

        print(
            f"\n{connection.vendor}: {args.contacts:,} contacts seeded in {seeded:.1f} s;",
            f"{args.repeat} timed requests each",
        )
        print(f"{'request':<60} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
        for label, median, high, queries in results:
            print(f"{label:<60} {median:>10.1f} {high:>10.1f} {queries:>8}")
        ratio = results[1][1] / results[0][1]
        ratio_include = results[3][1] / results[2][1]
        print(f"\npage {args.depth} / first page (median): {ratio:.2f}  (target <= 1.5)")
        print(f"page {args.depth} / first page with include (median): {ratio_include:.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
