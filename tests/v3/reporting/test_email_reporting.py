"""Email Reporting from real events: a campaign mailed to 200 contacts through an SMTP sink, then opens,
clicks, a forward and an unsubscribe through the public tracking URLs of the copies received, and an
ingested bounce; every report is checked against counts worked out by hand here.

The worked example of docs/decisions/reporting.md#formulas is this test's campaign.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from apps.v3.campaigns.engine import send
from apps.v3.campaigns.models import CampaignActivity, Send, SendRun, TrackingEvent
from apps.v3.contacts.models import Contact
from apps.v3.reporting.models import ActivityCounter, ContactRollup
from apps.v3.reporting.rollups.catchup import catch_up
from tests.v3.campaigns.rows import make_activity, make_contacts
from tests.v3.campaigns.sending import SmtpServer, audience, campaign, schedule_now
from tests.v3.campaigns.test_bounces import dsn, returned_headers
from tests.v3.conftest import V3Api

pytestmark = pytest.mark.django_db(transaction=False)

HTML = (
    "<html><body>[[trackingImage]]<p>Hello [[FIRSTNAME]]</p>"
    "<a href='https://example.com/offer'>Offer</a> <a href='https://example.com/more'>More</a></body></html>"
)
COMPUTER = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.12026; Pro)"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"

# By hand: 200 sent; readers 0-79 open once on a computer, 0-19 again on an iPhone; 0-29 click the
# first link, 0-9 the second too (on a computer, already opened); 50 forwards; 60 unsubscribes; 199 bounces (B).
SENT, OPENERS, MOBILE_REOPENS, OFFER_CLICKERS, MORE_CLICKERS = 200, 80, 20, 30, 10
FORWARDER, UNSUBSCRIBER, BOUNCED = 50, 60, 199
DELIVERED = SENT - 1
NOT_OPENED = SENT - 1 - OPENERS  # 119


def links(html: str) -> dict[str, list[str]]:
    """The public paths of a received copy by page letter (o pixel, c clicks, f forward, u unsubscribe)."""
    found: dict[str, list[str]] = {}
    for url in re.findall(r'"(https?://[^"]+/m/[ocfu]/[^"]+)"', html):
        path = urlsplit(url).path
        found.setdefault(path.split("/")[2], []).append(path)
    return found


@pytest.fixture
def sent(api: V3Api, smtp: SmtpServer, tmp_path: Path) -> dict[str, Any]:
    """The campaign, mailed and acted on; returns the activity and the readers by number."""
    readers_list = audience(api.account, SENT)
    activity = campaign(api.account, readers_list, html_content=HTML)
    send.process(schedule_now(api, activity).pk)
    by_address = smtp.sink.by_recipient()
    readers = {
        int(c.email_address.removeprefix("reader").split("@")[0]): c
        for c in Contact.objects.filter(account=api.account)
    }
    pages = {n: links(by_address[c.email_address][0].html) for n, c in readers.items()}
    client = Client()
    for n in range(OPENERS):
        assert client.get(pages[n]["o"][0], HTTP_USER_AGENT=COMPUTER).status_code == 200
    for n in range(MOBILE_REOPENS):
        assert client.get(pages[n]["o"][0], HTTP_USER_AGENT=IPHONE).status_code == 200
    offer, more = pages[0]["c"][0], pages[0]["c"][1]
    assert offer != more
    for n in range(OFFER_CLICKERS):
        assert client.get(pages[n]["c"][0], HTTP_USER_AGENT=COMPUTER).status_code == 302
    for n in range(MORE_CLICKERS):
        assert client.get(pages[n]["c"][1], HTTP_USER_AGENT=COMPUTER).status_code == 302
    assert client.get(pages[FORWARDER]["f"][0]).status_code == 200
    assert client.post(pages[UNSUBSCRIBER]["u"][0], {"reason": "Too many emails"}).status_code == 200
    bounced = readers[BOUNCED]
    report = tmp_path / "bounce.eml"
    report.write_text(dsn(bounced.email_address, returned_headers(activity, bounced)))
    call_command("ingest_bounces", str(report))
    return {"activity": activity, "readers": readers}


def ok(api: V3Api, path: str) -> Any:
    response = api.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_activity_stats_are_the_counts_by_hand(api: V3Api, sent: dict[str, Any]) -> None:
    activity: CampaignActivity = sent["activity"]
    body = ok(api, f"/reports/stats/email_campaign_activities/{activity.campaign_activity_id}")
    assert body["errors"] == []
    (result,) = body["results"]
    assert result["campaign_id"] == str(activity.campaign.campaign_id)
    assert result["last_refresh_time"]
    stats = result["stats"]
    assert stats["em_sends"] == SENT
    assert stats["em_opens"] == OPENERS and stats["em_opens_all"] == OPENERS + MOBILE_REOPENS
    assert stats["em_opens_all_computer"] == OPENERS and stats["em_opens_all_mobile"] == MOBILE_REOPENS
    assert stats["em_opens_all_tablet"] == stats["em_opens_all_other"] == stats["em_opens_all_none"] == 0
    assert stats["em_clicks"] == OFFER_CLICKERS and stats["em_clicks_all"] == OFFER_CLICKERS + MORE_CLICKERS
    assert stats["em_clicks_all_computer"] == OFFER_CLICKERS + MORE_CLICKERS
    assert stats["em_forwards"] == 1 and stats["em_optouts"] == 1
    assert stats["em_bounces"] == 1 and stats["em_bounces_nonexistent_address"] == 1
    assert stats["em_bounces_mailbox_full"] == 0 and stats["em_abuse"] == 0
    assert stats["em_not_opened"] == NOT_OPENED


def test_campaign_stats_percents_are_the_worked_example(api: V3Api, sent: dict[str, Any]) -> None:
    activity: CampaignActivity = sent["activity"]
    body = ok(api, f"/reports/stats/email_campaigns/{activity.campaign.campaign_id}")
    (result,) = body["results"]
    assert result["stats"]["em_sends"] == SENT and result["stats"]["em_opens"] == OPENERS
    # docs/decisions/reporting.md#formulas, with these numbers.
    assert result["percents"] == {
        "bounce": 0.5,  # 1 / 200
        "open": 40.2,  # 80 / 199
        "did_not_open": 59.8,  # 119 / 199
        "click": 37.5,  # 30 / 80
        "unsubscribe": 0.5,  # 1 / 199
        "desktop_open": 80.0,  # 80 / 100
        "mobile_open": 20.0,  # 20 / 100
        "desktop_click": 100.0,  # 40 / 40
        "mobile_click": 0.0,
    }


def test_tracking_pages_newest_first_with_keyset_links(api: V3Api, sent: dict[str, Any]) -> None:
    activity: CampaignActivity = sent["activity"]
    readers: dict[int, Contact] = sent["readers"]
    base = f"/reports/email_reports/{activity.campaign_activity_id}/tracking"

    def every(path: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        while path:
            body = ok(api, path)
            rows += body["tracking_activities"]
            path = body["_links"].get("next", {}).get("href", "").removeprefix("/v3")
        return rows

    sends = every(f"{base}/sends?limit=7")
    assert len(sends) == SENT and len({r["contact_id"] for r in sends}) == SENT
    assert sends[0]["tracking_activity_type"] == "em_sends"
    newest = Send.objects.filter(activity=activity).latest("pk")
    assert sends[0]["contact_id"] == str(newest.contact.contact_id)

    opens = every(f"{base}/opens?limit=33")
    assert len(opens) == OPENERS + MOBILE_REOPENS
    assert [r["device_type"] for r in opens[:MOBILE_REOPENS]] == ["mobile"] * MOBILE_REOPENS  # the last 20 opens

    unique = every(f"{base}/unique_opens?limit=500")
    assert len(unique) == OPENERS
    assert sorted(r["device_type"] for r in unique).count("mobile") == MOBILE_REOPENS

    not_opened = every(f"{base}/didnotopens?limit=50")
    assert len(not_opened) == NOT_OPENED
    assert {r["tracking_activity_type"] for r in not_opened} == {"em_didnotopens"}
    assert str(readers[BOUNCED].contact_id) not in {r["contact_id"] for r in not_opened}

    clicks = every(f"{base}/clicks")
    assert len(clicks) == OFFER_CLICKERS + MORE_CLICKERS
    more = every(f"{base}/clicks?url_id=2")
    assert len(more) == MORE_CLICKERS and {r["link_url"] for r in more} == {"https://example.com/more"}

    (forward,) = every(f"{base}/forwards")
    assert forward["contact_id"] == str(readers[FORWARDER].contact_id)
    (optout,) = every(f"{base}/optouts")
    assert optout["contact_id"] == str(readers[UNSUBSCRIBER].contact_id)
    assert optout["opt_out_reason"] == "Too many emails"
    (bounce,) = every(f"{base}/bounces?bounce_code=B&bounce_code=Z")
    assert bounce["bounce_code"] == "B" and bounce["contact_id"] == str(readers[BOUNCED].contact_id)
    assert every(f"{base}/bounces?bounce_code=F") == []


def test_link_stats_and_campaign_summaries(api: V3Api, sent: dict[str, Any]) -> None:
    activity: CampaignActivity = sent["activity"]
    body = ok(api, f"/reports/email_reports/{activity.campaign_activity_id}/links")
    counts = {c["link_url"]: c["unique_clicks"] for c in body["link_click_counts"]}
    assert counts == {"https://example.com/offer": OFFER_CLICKERS, "https://example.com/more": MORE_CLICKERS}

    summaries = ok(api, "/reports/summary_reports/email_campaign_summaries")
    (summary,) = summaries["bulk_email_campaign_summaries"]
    assert summary["campaign_id"] == str(activity.campaign.campaign_id)
    assert summary["unique_counts"] == {
        "sends": SENT,
        "opens": OPENERS,
        "clicks": OFFER_CLICKERS,
        "forwards": 1,
        "optouts": 1,
        "abuse": 0,
        "bounces": 1,
        "not_opened": NOT_OPENED,
    }
    assert summaries["aggregate_percents"] == {
        "click": 37.5,
        "open": 40.2,
        "did_not_open": 59.8,
        "bounce": 0.5,
        "unsubscribe": 0.5,
    }


def test_catch_up_folds_each_row_once(api: V3Api, sent: dict[str, Any]) -> None:
    activity: CampaignActivity = sent["activity"]
    catch_up(rounds=10)
    before = list(ActivityCounter.objects.filter(activity=activity).values_list("kind", "dim", "total", "uniques"))
    catch_up(rounds=10)  # nothing new: nothing counted again
    after = list(ActivityCounter.objects.filter(activity=activity).values_list("kind", "dim", "total", "uniques"))
    assert sorted(before) == sorted(after)
    opened = ContactRollup.objects.get(activity=activity, kind="open", dim="", contact=sent["readers"][0])
    assert opened.count == 2


def test_activity_stats_name_unknown_ids_in_errors_and_answer_the_rest(api: V3Api, sent: dict[str, Any]) -> None:
    activity: CampaignActivity = sent["activity"]
    unknown = "8892baf9-970a-4de6-8400-fa4ec461987c"
    draft = make_activity(api.account, "Never sent").campaign_activity_id  # no stats yet
    body = ok(api, f"/reports/stats/email_campaign_activities/{activity.campaign_activity_id},{unknown},{draft}")
    assert [r["campaign_activity_id"] for r in body["results"]] == [str(activity.campaign_activity_id)]
    assert [e["error_message"] for e in body["errors"]] == [f"No stats for {unknown}.", f"No stats for {draft}."]


@pytest.mark.parametrize(
    "path, status",
    [
        ("/reports/stats/email_campaign_activities/not-a-uuid", 404),
        ("/reports/stats/email_campaign_activities/" + ",".join(["8892baf9-970a-4de6-8400-fa4ec461987c"] * 11), 400),
        ("/reports/stats/email_campaigns/8892baf9-970a-4de6-8400-fa4ec461987c", 404),
        ("/reports/stats/email_campaigns/" + ",".join(["8892baf9-970a-4de6-8400-fa4ec461987c"] * 151), 400),
        ("/reports/stats/email_campaigns/nope", 404),
        ("/reports/email_reports/8892baf9-970a-4de6-8400-fa4ec461987c/tracking/opens", 404),
        ("/reports/email_reports/not-a-uuid/tracking/opens", 400),
        ("/reports/email_reports/{activity}/tracking/opens?limit=0", 400),
        ("/reports/email_reports/{activity}/tracking/opens?limit=501", 400),
        ("/reports/email_reports/{activity}/tracking/opens?limit=ten", 400),
        ("/reports/email_reports/{activity}/tracking/bounces?bounce_code=Q", 400),
        ("/reports/email_reports/{activity}/tracking/clicks?url_id=x", 400),
        ("/reports/email_reports/{activity}/tracking/sends?cursor=forged", 400),
        ("/reports/email_reports/{activity}/links?no_clicks=maybe", 400),
        ("/reports/summary_reports/email_campaign_summaries?limit=501", 400),
        ("/reports/summary_reports/email_campaign_summaries?cursor=forged", 400),
    ],
)
def test_bad_input_is_a_4xx(api: V3Api, path: str, status: int) -> None:
    activity = make_activity(api.account)
    response = api.get(path.replace("{activity}", str(activity.campaign_activity_id)))
    assert response.status_code == status, response.content


def _opens(activity: CampaignActivity, contacts: list[Contact], device: str = "computer") -> list[TrackingEvent]:
    return TrackingEvent.objects.bulk_create(
        [
            TrackingEvent(
                account=activity.campaign.account, activity=activity, contact=c, kind="open", device_type=device
            )
            for c in contacts
        ]
    )


def _opens_counter(activity: CampaignActivity) -> tuple[int, int]:
    row = ActivityCounter.objects.get(activity=activity, kind="open", dim="")
    return row.total, row.uniques


def test_a_row_committed_after_the_watermark_passed_its_id_is_still_folded(api: V3Api) -> None:
    activity = make_activity(api.account)
    contacts = make_contacts(api.account, 3)
    first, late, last = _opens(activity, contacts)
    # ``late`` took its id first but is not visible yet when the catch-up runs (it is in flight).
    row = TrackingEvent.objects.filter(pk=late.pk)
    kept = row.values()[0]
    row.delete()
    catch_up(rounds=10)
    assert _opens_counter(activity) == (2, 2)
    TrackingEvent.objects.create(**kept)  # its transaction commits, with the id it took
    catch_up(rounds=10)
    assert _opens_counter(activity) == (3, 3)
    catch_up(rounds=10)
    assert _opens_counter(activity) == (3, 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_catch_ups_count_each_row_once(api: V3Api) -> None:
    activity = make_activity(api.account)
    contacts = make_contacts(api.account, 50)
    _opens(activity, contacts)
    _opens(activity, contacts[:20], "mobile")
    barrier = threading.Barrier(4)

    def fold() -> None:
        try:
            barrier.wait()
            catch_up(batch=7, rounds=100)
        finally:
            connection.close()

    threads = [threading.Thread(target=fold) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _opens_counter(activity) == (70, 50)
    mobile = ActivityCounter.objects.get(activity=activity, kind="open", dim="mobile")
    assert (mobile.total, mobile.uniques) == (20, 20)
    assert ContactRollup.objects.filter(activity=activity, kind="open", dim="").count() == 50


def test_campaign_summaries_newest_last_send_first_in_keyset_pages(api: V3Api) -> None:
    contacts = make_contacts(api.account, 3)
    now = timezone.now()
    sent_at = {}
    for days, name in ((3, "Oldest"), (1, "Newest"), (2, "Middle")):
        activity = make_activity(api.account, name)
        run = SendRun.objects.create(activity=activity, send_id=1)
        when = now - timezone.timedelta(days=days)
        Send.objects.bulk_create(
            [Send(activity=activity, contact=c, run=run, email_address=c.email_address, sent_at=when) for c in contacts]
        )
        sent_at[str(activity.campaign.campaign_id)] = name
    make_activity(api.account, "Never sent")  # not summarised
    first = ok(api, "/reports/summary_reports/email_campaign_summaries?limit=2")
    names = [sent_at[s["campaign_id"]] for s in first["bulk_email_campaign_summaries"]]
    assert names == ["Newest", "Middle"]
    assert first["bulk_email_campaign_summaries"][0]["unique_counts"]["sends"] == 3
    assert first["aggregate_percents"]["open"] == 0.0
    rest = ok(api, first["_links"]["next"]["href"].removeprefix("/v3"))
    assert [sent_at[s["campaign_id"]] for s in rest["bulk_email_campaign_summaries"]] == ["Oldest"]
    assert rest["_links"] == {}
