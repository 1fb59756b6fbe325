"""Contacts Reporting from real sends: two campaigns mailed through an SMTP sink, opened and clicked through
the public URLs.

Every count below is worked out by hand from what the test did; every response is validated against
the spec by the api fixture.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from apps.v3.campaigns.engine import send
from apps.v3.campaigns.models import CampaignActivity
from apps.v3.contacts.models import Contact
from tests.v3.campaigns.sending import Received, SmtpServer, audience, campaign, schedule_now
from tests.v3.conftest import V3Api
from tests.v3.events.support import active_event, page_path
from tests.v3.support import follow_all

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
TWO_LINKS = (
    "<html><body>[[trackingImage]]<p>Hello [[FIRSTNAME]]</p>"
    "<a href='https://example.com/offer'>Offer</a> <a href='https://example.com/more'>More</a></body></html>"
)
ALL_EMAIL = "em_sends,em_opens,em_clicks,em_bounces,em_optouts,em_forwards"


def _send(api: V3Api, smtp: SmtpServer, activity: CampaignActivity) -> dict[str, Received]:
    """Mail ``activity`` now through the sink; each recipient's copy by address."""
    before = len(smtp.sink.received)
    send.process(schedule_now(api, activity).pk)
    copies = smtp.sink.received[before:]
    return {item.recipients[0].lower(): item for item in copies}


def _links(copy: Received, page: str) -> list[str]:
    """The paths of a copy's links to the public page ``page`` (o, c, f, u), in order."""
    return [urlsplit(url).path for url in re.findall(rf"(https?://[^\"']+/m/{page}/[^\"']+)", copy.html)]


def _report(api: V3Api, contact: Contact, name: str, **params: Any) -> Any:
    return api.get(f"/reports/contact_reports/{contact.contact_id}/{name}", params=params)


def _range(days: int = 1) -> dict[str, str]:
    now = timezone.now()
    return {"start": (now - timedelta(days=days)).isoformat(), "end": (now + timedelta(days=1)).isoformat()}


@pytest.fixture
def mailed(api: V3Api, smtp: SmtpServer, settings: Any, client: Client) -> dict[str, Any]:
    """Two campaigns to three readers. Reader 0: opens the first twice (iPhone), clicks its first link,
    forwards it, then opens the second and clicks its link to an event's page; reader 1 clicks the
    second campaign's first link only (an open is recorded with it); reader 2 does nothing."""
    readers = audience(api.account, 3)
    event = active_event(api, name="Picnic")
    first = campaign(api.account, readers, name="Spring news", html_content=TWO_LINKS)
    copies = _send(api, smtp, first)
    second_html = TWO_LINKS.replace("https://example.com/more", settings.SITE_URL + page_path(event))
    second = campaign(api.account, readers, name="Summer news", html_content=second_html)
    again = _send(api, smtp, second)
    zero, one = (Contact.objects.get(email_address=f"reader{i}@example.org") for i in (0, 1))

    pixel = _links(copies[zero.email_address], "o")[0]
    assert client.get(pixel, HTTP_USER_AGENT=IPHONE).status_code == 200
    assert client.get(pixel, HTTP_USER_AGENT=IPHONE).status_code == 200
    assert client.get(_links(copies[zero.email_address], "c")[0]).status_code == 302
    assert client.get(_links(copies[zero.email_address], "f")[0]).status_code == 200
    assert client.get(_links(again[zero.email_address], "o")[0]).status_code == 200
    # The tracked link to the event page carries the recipient on, so the page records an open.
    to_event = client.get(_links(again[zero.email_address], "c")[1])
    assert to_event.status_code == 302 and urlsplit(to_event["Location"]).path == page_path(event)
    assert client.get(to_event["Location"]).status_code == 200
    assert client.get(_links(again[one.email_address], "c")[0]).status_code == 302
    return {"first": first, "second": second, "zero": zero, "one": one, "event": event}


def test_activity_details_list_the_contacts_sends_opens_clicks_and_forwards_newest_first(
    api: V3Api, mailed: dict[str, Any]
) -> None:
    zero, first, second = mailed["zero"], mailed["first"], mailed["second"]
    rows = follow_all(
        api,
        f"/reports/contact_reports/{zero.contact_id}/activity_details",
        "tracking_activities",
        {"tracking_activities_list": ALL_EMAIL, "limit": "2"},
    )
    # By hand: 2 sends, 3 opens (2 + 1), 2 clicks (one in each), 1 forward; no bounce or opt-out.
    kinds = sorted(r["tracking_activity_type"] for r in rows)
    assert kinds == [
        "em_clicks",
        "em_clicks",
        "em_forwards",
        "em_opens",
        "em_opens",
        "em_opens",
        "em_sends",
        "em_sends",
    ]
    times = [r["created_time"] for r in rows]
    assert times == sorted(times, reverse=True)
    assert len({(r["tracking_activity_type"], r["created_time"]) for r in rows}) == 8  # no row twice across pages
    names = {r["campaign_activity_id"]: r["campaign_activity_name"] for r in rows}
    assert names == {str(first.campaign_activity_id): "Spring news", str(second.campaign_activity_id): "Summer news"}
    assert {r["contact_id"] for r in rows} == {str(zero.contact_id)}
    # The same types as repeated tracking_activity_type values, without names.
    again = _report(
        api,
        zero,
        "activity_details",
        tracking_activity_type=ALL_EMAIL.split(","),
        include_campaign_activity_names="false",
    ).json()
    assert [(r["tracking_activity_type"], r["created_time"]) for r in again["tracking_activities"]] == [
        (r["tracking_activity_type"], r["created_time"]) for r in rows
    ]
    assert all("campaign_activity_name" not in r for r in again["tracking_activities"])
    assert again["_links"] == {}


def test_activity_details_include_the_landing_page_open_by_its_singular_type(
    api: V3Api, mailed: dict[str, Any]
) -> None:
    zero, event = mailed["zero"], mailed["event"]
    body = _report(api, zero, "activity_details", tracking_activities_list="p_contact_open,em_clicks").json()
    kinds = [r["tracking_activity_type"] for r in body["tracking_activities"]]
    # Reaching the page went through the second campaign's click (a click) and then the page (an open).
    assert kinds == ["p_contact_open", "em_clicks", "em_clicks"]
    page_row = body["tracking_activities"][0]
    assert page_row["campaign_activity_id"] == str(event.track.campaign_activity_id)
    assert page_row["campaign_activity_name"] == "Picnic"


def test_open_and_click_rates_are_shares_of_the_activities_sent_in_the_range(
    api: V3Api, mailed: dict[str, Any]
) -> None:
    zero, one = mailed["zero"], mailed["one"]
    # Reader 0 opened both, clicked both (the second's click led to the event page): 2/2 and 2/2.
    assert _report(api, zero, "open_and_click_rates", **_range()).json() == {
        "contact_id": str(zero.contact_id),
        "included_activities_count": 2,
        "average_open_rate": 1.0,
        "average_click_rate": 1.0,
    }
    # Reader 1 clicked the second only (its click counts as an open too): 1/2 and 1/2.
    body = _report(api, one, "open_and_click_rates", **_range()).json()
    assert (body["included_activities_count"], body["average_open_rate"], body["average_click_rate"]) == (2, 0.5, 0.5)
    # A range before anything was sent: all zeros.
    long_ago = {"start": "2019-01-01T00:00:00-0500", "end": "2019-12-01T00:00:00-0500"}
    body = _report(api, zero, "open_and_click_rates", **long_ago).json()
    assert (body["included_activities_count"], body["average_open_rate"], body["average_click_rate"]) == (0, 0, 0)


def test_activity_summary_counts_each_activity_sent_to_the_contact_newest_first(
    api: V3Api, mailed: dict[str, Any]
) -> None:
    zero, first, second = mailed["zero"], mailed["first"], mailed["second"]
    body = _report(api, zero, "activity_summary", **_range()).json()
    assert body["contact_id"] == str(zero.contact_id)
    counts = [
        {k: v for k, v in row.items() if k.startswith("em_") or k == "campaign_activity_id"}
        for row in body["campaign_activities"]
    ]
    zeros = {"em_bounces": 0, "em_unsubscribes": 0, "em_sends": 1}
    assert counts == [
        {"campaign_activity_id": str(second.campaign_activity_id), "em_opens": 1, "em_clicks": 1, "em_forwards": 0}
        | zeros,
        {"campaign_activity_id": str(first.campaign_activity_id), "em_opens": 2, "em_clicks": 1, "em_forwards": 1}
        | zeros,
    ]
    assert (
        _report(api, zero, "activity_summary", start="2019-01-01T00:00:00Z", end="2019-02-01T00:00:00Z").json()[
            "campaign_activities"
        ]
        == []
    )


def test_a_contact_with_nothing_sent_has_empty_reports(api: V3Api) -> None:
    contact = Contact.objects.create(account=api.account, email_address="quiet@example.org")
    details = _report(api, contact, "activity_details", tracking_activities_list=ALL_EMAIL).json()
    assert details == {"tracking_activities": [], "_links": {}}
    rates = _report(api, contact, "open_and_click_rates", **_range()).json()
    assert rates["included_activities_count"] == 0 and rates["average_open_rate"] == 0
    assert _report(api, contact, "activity_summary", **_range()).json()["campaign_activities"] == []


BAD_DETAILS = [
    ({}, "give one of them"),
    ({"tracking_activities_list": "em_sends", "tracking_activity_type": "em_opens"}, "mutually exclusive"),
    ({"tracking_activities_list": "em_sends,em_nothing"}, "'em_nothing' is not one of"),
    ({"tracking_activity_type": "p_contact_opens"}, "'p_contact_opens' is not one of"),
    ({"tracking_activities_list": "em_sends", "limit": "0"}, "limit"),
    ({"tracking_activities_list": "em_sends", "limit": "101"}, "limit"),
    ({"tracking_activities_list": "em_sends", "limit": "ten"}, "limit"),
    ({"tracking_activities_list": "em_sends", "limit": ",".join(["1"] * 150)}, "whole number from 1 to 100"),
    ({"tracking_activities_list": "em_sends", "include_campaign_activity_names": "maybe"}, "include_campaign"),
    ({"tracking_activities_list": "em_sends", "cursor": "forged"}, "cursor"),
]
BAD_RANGES = [
    ({}, "start"),
    ({"start": "2020-01-01T00:00:00Z"}, "end"),
    ({"start": "yesterday", "end": "2020-01-01T00:00:00Z"}, "ISO-8601"),
    ({"start": "2020-02-30T00:00:00Z", "end": "2020-03-01T00:00:00Z"}, "ISO-8601"),
    ({"start": "2020-01-01T00:00:00", "end": "2020-03-01T00:00:00Z"}, "time zone"),
    ({"start": "2020-03-01T00:00:00Z", "end": "2020-01-01T00:00:00Z"}, "before start"),
]


@pytest.mark.parametrize(("params", "words"), BAD_DETAILS)
def test_bad_activity_detail_parameters_are_a_400_in_the_stats_error_envelope(
    api: V3Api, params: dict[str, str], words: str
) -> None:
    contact = Contact.objects.create(account=api.account, email_address="a@example.org")
    response = _report(api, contact, "activity_details", **params)
    assert response.status_code == 400, response.content
    assert words in response.json()["error_message"]


@pytest.mark.parametrize("name", ["open_and_click_rates", "activity_summary"])
@pytest.mark.parametrize(("params", "words"), BAD_RANGES)
def test_bad_date_ranges_are_a_400(api: V3Api, name: str, params: dict[str, str], words: str) -> None:
    contact = Contact.objects.create(account=api.account, email_address="a@example.org")
    response = _report(api, contact, name, **params)
    assert response.status_code == 400, response.content
    assert words in response.json()["error_message"]


def test_the_rates_range_may_span_five_years_and_no_more(api: V3Api) -> None:
    contact = Contact.objects.create(account=api.account, email_address="a@example.org")
    five = {"start": "2019-01-01T00:00:00-05:00", "end": "2024-01-01T00:00:00-05:00"}
    assert _report(api, contact, "open_and_click_rates", **five).status_code == 200
    more = {**five, "end": "2024-01-01T00:00:01-05:00"}
    response = _report(api, contact, "open_and_click_rates", **more)
    assert response.status_code == 400 and "5 years" in response.json()["error_message"]


@pytest.mark.parametrize("name", ["activity_details", "open_and_click_rates", "activity_summary"])
def test_ids_malformed_unknown_or_of_another_account(api: V3Api, other_api: V3Api, name: str) -> None:
    params = {"tracking_activities_list": "em_sends", **_range()}
    assert api.get(f"/reports/contact_reports/not-a-uuid/{name}", params=params).status_code == 400
    unknown = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/reports/contact_reports/{unknown}/{name}", params=params).status_code == 404
    theirs = Contact.objects.create(account=other_api.account, email_address="theirs@example.org")
    response = api.get(f"/reports/contact_reports/{theirs.contact_id}/{name}", params=params)
    assert response.status_code == 404 and response.json()["error_key"] == "api.resource.not_found"
