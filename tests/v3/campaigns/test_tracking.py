"""The public pages a copy links to: signed per recipient, recording opens, clicks, forwards and opt-outs."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.campaigns.models import ActivityRole, CampaignActivity, EventKind, TrackingEvent
from apps.v3.campaigns.rendering.copy import Copy, Renderer
from apps.v3.contacts.models import Contact, PermissionToSend
from tests.v3.campaigns.rows import make_activity, make_contacts

pytestmark = pytest.mark.django_db

CONTENT = (
    '<html><body>[[trackingImage]]<p>Hi [[FIRSTNAME OR "there"]]</p>'
    '<a href="https://example.com/offer">Offer</a> <a href="https://example.com/more?a=1&amp;b=2">More</a></body></html>'
)

# Real User-Agents of mail clients and browsers, and the device type each one counts as.
USER_AGENTS = {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148": (
        "mobile"
    ),
    "Mozilla/5.0 (Linux; Android 13; SM-S908B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile "
    "Safari/537.36": "mobile",
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
    "Mobile/15E148 Safari/604.1": "tablet",
    "Mozilla/5.0 (Linux; Android 12; SM-X906C Build/QP1A.190711.020; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/80.0.3987.119 Safari/537.36": "tablet",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.12026; Pro)": "computer",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)": "computer",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36": (
        "computer"
    ),
    "Mozilla/5.0 (PlayStation 4 3.11) AppleWebKit/537.73 (KHTML, like Gecko)": "other",
    "": "none",
}


@pytest.fixture
def account() -> Account:
    return Account.objects.create(organization_name="Dog Lovers Inc")


@pytest.fixture
def activity(account: Account) -> CampaignActivity:
    return make_activity(account, html_content=CONTENT)


@pytest.fixture
def contact(account: Account) -> Contact:
    return make_contacts(account, 1)[0]


def copy_for(activity: CampaignActivity, contact: Contact) -> Copy:
    return Renderer(activity).copies([contact])[0]


def path_of(copy: Copy, page: str) -> str:
    """The path of the copy's first link to the public page ``page`` (o, c, f, u)."""
    found = re.search(rf'"(https?://[^"]+/m/{page}/[^"]+)"', copy.html)
    assert found is not None, copy.html
    return urlsplit(found.group(1)).path


def events(contact: Contact, kind: str | None = None) -> list[TrackingEvent]:
    rows = TrackingEvent.objects.filter(contact=contact).order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def test_pixel_records_an_open_with_the_device_type(activity: CampaignActivity, contact: Contact) -> None:
    pixel = path_of(copy_for(activity, contact), "o")
    client = Client()
    for user_agent in USER_AGENTS:
        response = client.get(pixel, HTTP_USER_AGENT=user_agent) if user_agent else client.get(pixel)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert response.content.startswith(b"GIF89a") and len(response.content) == 43
        assert "no-cache" in response["Cache-Control"]
    opens = events(contact, EventKind.OPEN)
    assert [row.device_type for row in opens] == list(USER_AGENTS.values())
    assert {(row.account_id, row.activity_id) for row in opens} == {(activity.campaign.account_id, activity.pk)}


def test_pixel_reads_nothing_and_writes_one_row(activity: CampaignActivity, contact: Contact) -> None:
    pixel = path_of(copy_for(activity, contact), "o")
    client = Client()
    client.get(pixel)  # the User-Agent parser's first load and the URL conf are not what is measured
    with CaptureQueriesContext(connection) as queries:
        assert client.get(pixel, HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64)").status_code == 200
    verbs = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # One INSERT, and nothing read: on PostgreSQL a SET LOCAL (and, inside the test's transaction,
    # a savepoint) surrounds it, so that its commit does not wait for the disk.
    assert verbs.count("INSERT") == 1
    assert set(verbs) <= {"INSERT", "SET", "SAVEPOINT", "RELEASE"}, verbs


def tampered(path: str) -> list[str]:
    """Variants of a signed path: a changed signature, a changed value, a token of another signer."""
    head, token = path.rsplit("/", 1)
    value, signature = token.split(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    foreign = signing.Signer(salt="v3-confirm.resubscribe").sign(value)
    other_contact = value.rsplit("-", 1)[0] + "-" + signing.b62_encode(signing.b62_decode(value.rsplit("-", 1)[1]) + 1)
    return [f"{head}/{value}:{flipped}", f"{head}/{other_contact}:{signature}", f"{head}/{foreign}", f"{head}/junk"]


def test_tampered_or_foreign_tokens_are_404_and_record_nothing(
    account: Account, activity: CampaignActivity, contact: Contact
) -> None:
    Contact.objects.create(account=account, email_address="next@example.org")  # the one a changed token names
    copy = copy_for(activity, contact)
    client = Client()
    for page in ("o", "f", "u"):
        for path in tampered(path_of(copy, page)):
            assert client.get(path).status_code == 404, path
            one_click = client.post(
                path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
            )
            assert one_click.status_code in (404, 405), path
    click = path_of(copy, "c")
    head, url_id = click.rsplit("/", 1)
    for path in tampered(head):
        assert client.get(f"{path}/{url_id}").status_code == 404
    assert client.get(f"{head}/99").status_code == 404  # a genuine token, but no such link in its activity
    assert not TrackingEvent.objects.exists()
    assert Contact.objects.filter(permission_to_send=PermissionToSend.UNSUBSCRIBED).count() == 0


def test_a_token_of_another_activity_does_not_reach_this_ones_links(account: Account, contact: Contact) -> None:
    first = make_activity(account, "First", html_content=CONTENT)
    other = make_activity(
        account, "Other", html_content='<html><body><a href="https://example.com/x">x</a></body></html>'
    )
    other_click = path_of(copy_for(other, contact), "c")
    first_token = path_of(copy_for(first, contact), "c").split("/")[3]
    # url 1 of "other" is https://example.com/x; with first's token, url 1 is first's own link.
    response = Client().get(f"/m/c/{first_token}/{other_click.rsplit('/', 1)[1]}")
    assert response["Location"] == "https://example.com/offer"
    assert {row.activity_id for row in events(contact)} == {first.pk}


def test_click_redirects_and_implies_an_open(activity: CampaignActivity, contact: Contact) -> None:
    copy = copy_for(activity, contact)
    links = re.findall(r'"https?://[^"]+(/m/c/[^"]+)"', copy.html)
    client = Client()
    iphone = next(ua for ua, kind in USER_AGENTS.items() if kind == "mobile")

    response = client.get(links[1], HTTP_USER_AGENT=iphone)
    assert response.status_code == 302
    assert response["Location"] == "https://example.com/more?a=1&b=2"
    assert [(row.kind, row.device_type) for row in events(contact)] == [("open", "mobile"), ("click", "mobile")]
    assert events(contact, EventKind.CLICK)[0].url is not None
    assert events(contact, EventKind.CLICK)[0].url.url_id == 2  # type: ignore[union-attr]

    assert client.get(links[0]).status_code == 302
    assert [row.kind for row in events(contact)] == ["open", "click", "click"]  # the open is there already


def test_forward_page_records_a_forward_and_offers_the_permalink(activity: CampaignActivity, contact: Contact) -> None:
    response = Client().get(path_of(copy_for(activity, contact), "f"))
    assert response.status_code == 200
    permalink = CampaignActivity.objects.get(campaign=activity.campaign, role=ActivityRole.PERMALINK)
    assert f"/m/p/{permalink.campaign_activity_id}" in response.content.decode()
    assert [row.kind for row in events(contact)] == ["forward"]


def test_unsubscribe_page_asks_then_opts_the_contact_out(activity: CampaignActivity, contact: Contact) -> None:
    path = path_of(copy_for(activity, contact), "u")
    client = Client(enforce_csrf_checks=True)

    page = client.get(path)
    assert page.status_code == 200
    assert b'<form method="post">' in page.content and b'name="reason"' in page.content
    contact.refresh_from_db()
    assert contact.permission_to_send == PermissionToSend.IMPLICIT  # a GET changes nothing (mail scanners)

    before = timezone.now()
    done = client.post(path, {"reason": "Too many emails"})
    assert done.status_code == 200
    assert b"will no longer receive" in done.content
    contact.refresh_from_db()
    assert contact.permission_to_send == PermissionToSend.UNSUBSCRIBED
    assert contact.opt_out_source == "Contact"
    assert contact.opt_out_reason == "Too many emails"
    assert contact.opt_out_date is not None and contact.opt_out_date >= before
    assert [(row.kind, row.reason) for row in events(contact)] == [("optout", "Too many emails")]

    # Again: the page says so, and nothing more is recorded.
    assert b"will no longer receive" in client.get(path).content
    client.post(path, {"reason": "again"})
    assert len(events(contact)) == 1
    contact.refresh_from_db()
    assert contact.opt_out_reason == "Too many emails"


def test_one_click_unsubscribe_post(activity: CampaignActivity, contact: Contact) -> None:
    copy = copy_for(activity, contact)
    url = copy.headers["List-Unsubscribe"].strip("<>")
    client = Client(enforce_csrf_checks=True)  # as a mail client posts: no cookie, no CSRF token

    response = client.post(
        urlsplit(url).path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.permission_to_send == PermissionToSend.UNSUBSCRIBED
    assert contact.opt_out_source == "Contact"
    assert [row.kind for row in events(contact)] == ["optout"]


def test_permalink_shows_the_content_without_personal_details(account: Account, contact: Contact) -> None:
    activity = make_activity(account, html_content=CONTENT)
    permalink = CampaignActivity.objects.get(campaign=activity.campaign, role=ActivityRole.PERMALINK)
    client = Client()

    response = client.get(f"/m/p/{permalink.campaign_activity_id}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hi there" in body and "Person0" not in body
    assert 'href="https://example.com/offer"' in body and "/m/o/" not in body and "/m/c/" not in body
    # The account's HTML on the site's origin: sandboxed, so a script in it could do nothing there.
    assert response["Content-Security-Policy"].startswith("sandbox ")
    assert "script-src 'none'" in response["Content-Security-Policy"]

    assert client.get(f"/m/p/{uuid.uuid4()}").status_code == 404
    assert client.get(f"/m/p/{activity.campaign_activity_id}").status_code == 404  # the primary's id is no permalink
    activity.campaign.deleted_at = timezone.now()
    activity.campaign.save()
    assert client.get(f"/m/p/{permalink.campaign_activity_id}").status_code == 404
    assert not TrackingEvent.objects.exists()
