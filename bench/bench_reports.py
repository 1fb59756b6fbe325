"""Benchmark the Email Reporting reads (and contact activity details) at 10,000 and 1,000,000 events.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> DJANGO_SETTINGS_MODULE=ctctdash.settings.test \\
        .venv/bin/python bench/bench_reports.py [--events 1000000] [--small 10000] [--repeat 25]

PostgreSQL only (rows are generated set-based with ``INSERT ... SELECT ... generate_series``). It
builds a throwaway database next to the configured one (Django's test-database machinery) and two
accounts, each with 50 sent campaigns: a small one with ``--small`` tracking events and a large one
with ``--events``, over one contact per 100 events (every campaign sent to every contact, so sends
grow with them). The events are 60% opens (devices in turn), 25% clicks on two links, 5% forwards,
5% opt-outs and 5% bounces of every code. The rollups are caught up as beat would (timed), then
each report is called ``--repeat`` times through Django's test client with a real bearer token
(each call also runs the request's catch-up check), and the table prints median and p95 per size
and the ratio of the medians (target: at most 1.5, and under 100 ms). The opens pages use
``limit=1`` so that the small account has a 100th page too; the 100th is reached by following
``_links.next``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctctdash.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from apps.v3.account.models import Account, AccountMembership, Role  # noqa: E402
from apps.v3.campaigns.models import ActivityStatus, CampaignActivity, EmailCampaign, SendRun, TrackedUrl  # noqa: E402
from apps.v3.contacts.models import Contact  # noqa: E402
from apps.v3.oauth.tokens import issue_token  # noqa: E402
from apps.v3.reporting.rollups.catchup import BEAT_BATCH, catch_up  # noqa: E402
from bench.bench_contacts import measure, p95  # noqa: E402 - the same timing loop as the other benchmarks
from tests.v3.campaigns.rows import make_activity  # noqa: E402 - a sent campaign's primary email, as the tests make it

CAMPAIGNS = 50
SCOPES = ["account_read", "contact_data", "campaign_data"]

# Event i: activity i % 50, contact (i / 50) % contacts; kinds by i % 20 (12 opens, 5 clicks, then
# a forward, an opt-out, a bounce), a device per open and click, link 1 or 2, a bounce code in turn.
EVENTS_SQL = """
INSERT INTO v3_trackingevent (account_id, activity_id, contact_id, kind, url_id, device_type, bounce_code, reason,
                              created_at)
SELECT %(account)s,
       (%(activities)s::bigint[])[1 + i %% 50],
       (%(contacts)s::bigint[])[1 + (i / 50) %% %(ncontacts)s],
       k.kind,
       CASE WHEN k.kind = 'click' THEN (%(urls)s::bigint[])[1 + 2 * (i %% 50) + (i / 7) %% 2] END,
       CASE WHEN k.kind IN ('open', 'click') THEN (ARRAY['computer', 'mobile', 'tablet', 'other'])[1 + (i / 3) %% 4]
            ELSE '' END,
       CASE WHEN k.kind = 'bounce' THEN (ARRAY['B', 'D', 'F', 'S', 'V', 'X', 'Z'])[1 + (i / 20) %% 7] ELSE '' END,
       '',
       %(start)s::timestamptz + i * interval '10 milliseconds'
  FROM generate_series(0, %(events)s - 1) AS i
 CROSS JOIN LATERAL (SELECT CASE WHEN i %% 20 < 12 THEN 'open' WHEN i %% 20 < 17 THEN 'click'
                                 WHEN i %% 20 = 17 THEN 'forward' WHEN i %% 20 = 18 THEN 'optout'
                                 ELSE 'bounce' END AS kind) AS k
"""

SENDS_SQL = """
INSERT INTO v3_send (activity_id, contact_id, run_id, email_address, status, variant, sent_at)
SELECT r.activity_id, c.id, r.id, c.email_address, 'sent', '', %(start)s::timestamptz
  FROM v3_sendrun r CROSS JOIN v3_contact c
 WHERE r.id = ANY(%(runs)s::bigint[]) AND c.account_id = %(account)s
"""


def seed(name: str, events: int) -> dict[str, Any]:
    """An account with 50 sent campaigns, its contacts and ``events`` tracking rows; a token."""
    user = User.objects.create_user(name, password="bench-only")  # noqa: S106
    account = Account.objects.create(organization_name=name)
    AccountMembership.objects.create(account=account, user=user, role=Role.ACCOUNT_OWNER)
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1/callback",
    )
    token = issue_token(account, user, SCOPES, application)
    ncontacts = max(events // 100, 100)
    Contact.objects.bulk_create(
        [
            Contact(account=account, email_address=f"r{i}@{name}.example.org", first_name=f"R{i}")
            for i in range(ncontacts)
        ],
        batch_size=2000,
    )
    start = timezone.now() - timezone.timedelta(days=60)
    activities, urls, runs = [], [], []
    for n in range(CAMPAIGNS):
        activity = make_activity(account, f"{name} {n}", current_status=ActivityStatus.DONE)
        activities.append(activity.pk)
        urls += [
            TrackedUrl.objects.create(activity=activity, url_id=u, url=f"https://example.com/{u}").pk for u in (1, 2)
        ]
        runs.append(SendRun.objects.create(activity=activity, send_id=1, state="COMPLETED", run_date=start).pk)
    contacts = list(Contact.objects.filter(account=account).order_by("pk").values_list("pk", flat=True))
    params = {
        "account": account.pk,
        "activities": activities,
        "contacts": contacts,
        "ncontacts": len(contacts),
        "urls": urls,
        "runs": runs,
        "start": start,
        "events": events,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(SENDS_SQL, params)
        cursor.execute(EVENTS_SQL, params)
        cursor.execute("ANALYZE")
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    folded = catch_up(batch=BEAT_BATCH, rounds=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    caught_up = time.perf_counter() - started
    print(
        f"{name}: {events:,} events, {len(contacts) * CAMPAIGNS:,} sends, {len(contacts):,} contacts; "
        f"loaded in {loaded:.1f} s; caught up ({folded.events:,} events, {folded.sends:,} sends) in {caught_up:.1f} s",
        flush=True,
    )
    campaign_ids = list(
        EmailCampaign.objects.filter(account=account).order_by("pk").values_list("campaign_id", flat=True)
    )
    activity_ids = list(
        CampaignActivity.objects.filter(pk__in=activities).order_by("pk").values_list("campaign_activity_id", flat=True)
    )
    contact_id = Contact.objects.get(pk=contacts[len(contacts) // 2]).contact_id
    return {
        "client": Client(HTTP_AUTHORIZATION=f"Bearer {token}"),
        "campaigns": campaign_ids,
        "activities": activity_ids,
        "contact": contact_id,
    }


def deep_page(client: Client, path: str, page: int) -> str:
    """The URL of page ``page`` of a listing, by following ``_links.next``."""
    for _ in range(page - 1):
        response = client.get(path)
        assert response.status_code == 200, response.content
        path = response.json()["_links"]["next"]["href"]
    return path


def calls(seeded: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    client: Client = seeded["client"]
    activity = seeded["activities"][0]
    opens = f"/v3/reports/email_reports/{activity}/tracking/opens?limit=1"
    page_100 = deep_page(client, opens, 100)

    def get(path: str) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(path)
            assert response.status_code == 200, (path, response.content[:300])
            return response

        return call

    ids = ",".join(map(str, seeded["campaigns"][:5]))
    activity_ids = ",".join(map(str, seeded["activities"][:10]))
    return {
        "campaign stats (5 campaigns)": get(f"/v3/reports/stats/email_campaigns/{ids}"),
        "activity stats (10 activities)": get(f"/v3/reports/stats/email_campaign_activities/{activity_ids}"),
        "campaign summaries (limit 50)": get("/v3/reports/summary_reports/email_campaign_summaries?limit=50"),
        "opens, page 1": get(opens),
        "opens, page 100": get(page_100),
        "unique opens, page 1 (limit 50)": get(f"/v3/reports/email_reports/{activity}/tracking/unique_opens?limit=50"),
        "did-not-opens, page 1 (limit 50)": get(f"/v3/reports/email_reports/{activity}/tracking/didnotopens?limit=50"),
        "link stats": get(f"/v3/reports/email_reports/{activity}/links"),
        "contact activity details": get(
            f"/v3/reports/contact_reports/{seeded['contact']}/activity_details?limit=50&tracking_activities_list=em_sends,em_opens,em_clicks,em_bounces,em_optouts,em_forwards"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_reports.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        results: dict[str, dict[str, tuple[float, float, int]]] = {}
        for label, events in (("small", args.small), ("large", args.events)):
            seeded = seed(f"bench{label}", events)
            for name, call in calls(seeded).items():
                times, queries = measure(call, args.repeat)
                results.setdefault(name, {})[label] = (statistics.median(times), p95(times), queries)
        small, large = f"{args.small:,}", f"{args.events:,}"
        columns = f"{small + ' med':>12} {'p95':>8} {large + ' med':>14} {'p95':>8}"
        header = f"{'operation':34} {'queries':>7} {columns} {'ratio':>6}"
        print("\n" + header + "\n" + "-" * len(header))
        for name, by_size in results.items():
            s_med, s_p95, _ = by_size["small"]
            l_med, l_p95, queries = by_size["large"]
            figures = f"{s_med:10.1f}ms {s_p95:6.1f}ms {l_med:12.1f}ms {l_p95:6.1f}ms"
            print(f"{name:34} {queries:7d} {figures} {l_med / s_med:6.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
