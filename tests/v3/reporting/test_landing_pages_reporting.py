"""Landing Pages Reporting from an event's public pages used over real HTTP (requests against the live server).

Ann reaches the registration page twice through a campaign's tracked link, registers (she is a
contact already: an update, with SMS consent: an SMS opt-in), opens her confirmation and clicks a
ticket link on it; Bob registers with a new address (an add) without arriving through any link.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from apps.v3.campaigns.rendering.copy import Renderer
from apps.v3.contacts.models import Contact
from apps.v3.events.models import Event
from tests.v3.campaigns.rows import make_activity
from tests.v3.conftest import V3Api
from tests.v3.events.support import active_event, free_ticket, page_path
from tests.v3.support import follow_all

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
REPORTS = "/reports/landing_pages/campaign_details"


def _register(live: str, browser: requests.Session, event: Event, data: dict[str, str]) -> str:
    """GET the page (with no tracked link's token), POST the form; the confirmation page's path."""
    page = browser.get(f"{live}{page_path(event)}", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    form = {"csrfmiddlewaretoken": token.group(1), f"ticket_{free_ticket(event).ticket_id}": "1", **data}
    posted = browser.post(f"{live}{page_path(event)}", data=form, timeout=10, allow_redirects=False)
    assert posted.status_code == 303, posted.text[:300]
    return str(posted.headers["Location"])


@pytest.fixture
def used(api: V3Api, live_server: Any) -> dict[str, Any]:
    live = live_server.url
    event = active_event(api, name="Picnic")
    ann = Contact.objects.create(account=api.account, email_address="ann@example.org", first_name="Ann")
    html = f"<html><body><a href='{settings.SITE_URL}{page_path(event)}'>Come</a></body></html>"
    activity = make_activity(api.account, html_content=html)
    (copy,) = Renderer(activity).copies([ann])
    found = re.search(r"(https?://[^\"']+/m/c/[^\"']+)", copy.html)
    assert found is not None
    ann_browser = requests.Session()
    ann_browser.headers["User-Agent"] = IPHONE
    for _ in range(2):
        click = ann_browser.get(live + urlsplit(found.group(1)).path, timeout=10, allow_redirects=False)
        assert click.status_code == 302
        target = urlsplit(click.headers["Location"])
        assert target.path == page_path(event) and "ctct_r=" in target.query
        assert ann_browser.get(f"{live}{target.path}?{target.query}", timeout=10).status_code == 200
    data = {"first_name": "Ann", "last_name": "Lee", "email_address": "ann@example.org"}
    sms = {"phone_number": "+1 (555) 010-9999", "sms_consent": "on"}
    confirmation = _register(live, ann_browser, event, {**data, **sms})
    page = ann_browser.get(live + confirmation, timeout=10)
    links = re.findall(r'href="(/e/r/[^"]+/l/\d+/)"', page.text)
    assert len(links) == 1, page.text
    clicked = ann_browser.get(live + links[0], timeout=10, allow_redirects=False)
    assert clicked.status_code == 302 and "/e/t/" in clicked.headers["Location"]
    bob = {"first_name": "Bob", "last_name": "Stone", "email_address": "bob@example.org"}
    _register(live, requests.Session(), event, bob)
    return {"event": event, "ann": Contact.objects.get(pk=ann.pk), "ticket": clicked.headers["Location"]}


def _rows(api: V3Api, activity_id: Any, report: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(f"{REPORTS}/{activity_id}/{report}", params=params)
    assert response.status_code == 200, response.content
    rows: list[dict[str, Any]] = response.json()["tracking_activities"]
    return rows


def test_the_registration_pages_reports_count_what_was_done_on_it(api: V3Api, used: dict[str, Any]) -> None:
    event, ann = used["event"], used["ann"]
    form = event.track.campaign_activity_id
    bob = Contact.objects.get(email_address="bob@example.org")
    opens = _rows(api, form, "p_contact_opens")
    # Two visits through the tracked link; Bob came with no link, so he is nobody's open.
    assert [(r["contact_id"], r["tracking_activity_type"], r["device_type"]) for r in opens] == [
        (str(ann.contact_id), "p_contact_opens", "mobile")
    ] * 2
    assert opens[0]["created_time"] >= opens[1]["created_time"]
    assert [r["contact_id"] for r in _rows(api, form, "p_unique_contact_opens")] == [str(ann.contact_id)]
    (added,) = _rows(api, form, "p_unique_contact_adds")
    assert (added["contact_id"], added["email_address"], added["first_name"], added["last_name"]) == (
        str(bob.contact_id),
        "bob@example.org",
        "Bob",
        "Stone",
    )
    assert added["tracking_activity_type"] == "p_contact_adds" and added["campaign_activity_id"] == str(form)
    (updated,) = _rows(api, form, "p_unique_contact_updates")
    assert (updated["contact_id"], updated["tracking_activity_type"]) == (str(ann.contact_id), "p_contact_updates")
    (optin,) = _rows(api, form, "p_unique_contact_sms_optins")
    assert optin["contact_id"] == str(ann.contact_id) and optin["tracking_activity_type"] == "p_contact_sms_optins"
    assert optin["sms_channel"] == {
        "state": "E",
        "country_code": "US",
        "formatted_national": "(555) 010-9999",
        "formatted_international": "+1 555-010-9999",
    }
    assert _rows(api, form, "p_unique_contact_clicks") == []


def test_the_confirmation_page_reports_its_opens_and_the_ticket_link_clicked(api: V3Api, used: dict[str, Any]) -> None:
    confirmation, ann = used["event"].track.conf_email_campaign_activity_id, used["ann"]
    bob = Contact.objects.get(email_address="bob@example.org")
    # Ann opened hers (the redirect after registering); Bob's browser was sent to his but never followed.
    assert [r["contact_id"] for r in _rows(api, confirmation, "p_contact_opens")] == [str(ann.contact_id)]
    (click,) = _rows(api, confirmation, "p_unique_contact_clicks")
    assert (click["contact_id"], click["tracking_activity_type"], click["device_type"]) == (
        str(ann.contact_id),
        "p_contact_click",
        "mobile",
    )
    assert click["link_url"] == used["ticket"] and click["url_id"].isdigit()
    assert str(bob.contact_id) not in {r["contact_id"] for r in _rows(api, confirmation, "p_unique_contact_opens")}


def test_contacts_filter_matches_part_of_a_name_or_address_and_limit_pages(api: V3Api, used: dict[str, Any]) -> None:
    form = used["event"].track.campaign_activity_id
    assert [r["email_address"] for r in _rows(api, form, "p_unique_contact_adds", contacts_filter="sto")] == [
        "bob@example.org"
    ]
    assert _rows(api, form, "p_unique_contact_adds", contacts_filter="ann") == []
    assert len(_rows(api, form, "p_contact_opens", contacts_filter="ANN@EXAMPLE")) == 2
    first = api.get(f"{REPORTS}/{form}/p_contact_opens", params={"limit": "1"}).json()
    assert len(first["tracking_activities"]) == 1 and first["_links"]["next"]["href"]
    every = follow_all(api, f"{REPORTS}/{form}/p_contact_opens", "tracking_activities", {"limit": "1"})
    assert len(every) == 2 and every == _rows(api, form, "p_contact_opens")
    last = api.get(f"{REPORTS}/{form}/p_unique_contact_adds").json()
    assert last["_links"] == {"next": {"href": ""}}


def test_a_deleted_contacts_row_says_when_it_was_deleted(api: V3Api, used: dict[str, Any]) -> None:
    form = used["event"].track.campaign_activity_id
    bob = Contact.objects.get(email_address="bob@example.org")
    assert api.delete(f"/contacts/{bob.contact_id}").status_code == 204
    (added,) = _rows(api, form, "p_unique_contact_adds")
    assert added["contact_id"] == str(bob.contact_id) and added["deleted_at"] == timezone.now().date().isoformat()


def test_an_email_activity_has_empty_landing_page_reports(api: V3Api) -> None:
    activity = make_activity(api.account)
    assert _rows(api, activity.campaign_activity_id, "p_contact_opens") == []


REPORT_NAMES = [
    "p_unique_contact_clicks",
    "p_unique_contact_opens",
    "p_contact_opens",
    "p_unique_contact_updates",
    "p_unique_contact_adds",
    "p_unique_contact_sms_optins",
]


@pytest.mark.parametrize("report", REPORT_NAMES)
def test_bad_input_is_a_4xx_in_the_stats_error_envelope(api: V3Api, other_api: V3Api, report: str) -> None:
    form = active_event(api).track.campaign_activity_id
    for limit in ("0", "501", "many", "-1"):
        response = api.get(f"{REPORTS}/{form}/{report}", params={"limit": limit})
        assert response.status_code == 400 and "limit" in response.json()["error_message"]
    response = api.get(f"{REPORTS}/{form}/{report}", params={"contacts_filter": "x" * 81})
    assert response.status_code == 400
    assert api.get(f"{REPORTS}/{form}/{report}", params={"cursor": "forged"}).status_code == 400
    assert api.get(f"{REPORTS}/not-a-uuid/{report}").status_code == 400
    assert api.get(f"{REPORTS}/00000000-0000-4000-8000-000000000000/{report}").status_code == 404
    theirs = active_event(other_api, name="Theirs").track.campaign_activity_id
    response = api.get(f"{REPORTS}/{theirs}/{report}")
    assert response.status_code == 404 and response.json()["error_key"] == "api.resource.not_found"
    assert api.get(f"{REPORTS}/{form}/{report}", params={"limit": "500"}).status_code == 200


def test_only_a_visitor_token_of_the_pages_own_account_records_an_open(
    api: V3Api, other_api: V3Api, client: Any
) -> None:
    event = active_event(api)
    theirs = Contact.objects.create(account=other_api.account, email_address="t@example.org")
    html = f"<html><body><a href='{settings.SITE_URL}{page_path(event)}'>Come</a></body></html>"
    (copy,) = Renderer(make_activity(other_api.account, html_content=html)).copies([theirs])
    found = re.search(r"https?://[^\"']+(/m/c/[^\"']+)", copy.html)
    assert found is not None
    arrived = urlsplit(client.get(found.group(1))["Location"])
    visitor = dict(parse_qsl(arrived.query))["ctct_r"]
    # Another account's contact on this account's page: nobody's open here.
    assert client.get(arrived.path, {"ctct_r": visitor}).status_code == 200
    # The visitor token only names who visited: it is no recipient token, so it unsubscribes nobody.
    assert client.post(f"/m/u/{visitor}", {"List-Unsubscribe": "One-Click"}).status_code == 404
    mail_token = found.group(1).split("/")[3]
    for token in (mail_token, "forged"):
        assert client.get(page_path(event), {"ctct_r": token}).status_code == 200
    assert _rows(api, event.track.campaign_activity_id, "p_contact_opens") == []
