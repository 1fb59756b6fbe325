"""Account-email confirmation links: opening one only asks, its button confirms once; links expire,
and an expired one can ask for a new one.

Links are made as of a chosen moment (``confirmation_link(email, issued_at=...)``) and checked
against the real clock, so an expired link needs no waiting. The resend form is posted with CSRF
checks on, as a browser would.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from apps.v3.account.models import AccountEmail
from apps.v3.account.services import confirmation_link, confirmation_link_lifetime
from tests.v3.conftest import V3Api
from tests.v3.support import csrf_token, mailed_path

EMAILS = "/account/emails"


def added(api: V3Api, address: str = "dlang@example.com") -> AccountEmail:
    """An address added through ``POST /account/emails`` (which mails its link)."""
    response = api.post(EMAILS, {"email_address": address})
    assert response.status_code == 201
    return AccountEmail.objects.get(pk=response.json()["email_id"])


def path_of(email: AccountEmail, age: timedelta) -> str:
    """The path of a link to ``email`` made ``age`` ago."""
    return urlsplit(confirmation_link(email, issued_at=timezone.now() - age)).path


def confirm(path: str) -> HttpResponse:
    """What a person does: open the link, then press the page's confirm button (with its CSRF token)."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200 and b'value="confirm"' in page.content, page.content
    response: HttpResponse = browser.post(path, {"csrfmiddlewaretoken": csrf_token(page), "action": "confirm"})
    return response


def status_of(api: V3Api) -> str:
    [listed] = api.get(EMAILS).json()
    return str(listed["confirm_status"])


def test_the_mail_says_how_long_the_link_works_and_it_confirms_within_that_time(api: V3Api) -> None:
    email = added(api)
    [message] = mail.outbox
    assert "within 72 hours" in str(message.body)
    assert confirmation_link_lifetime() == timedelta(hours=72)
    # Made almost the whole lifetime ago, a link still works.
    page = confirm(path_of(email, confirmation_link_lifetime() - timedelta(minutes=1)))
    assert page.status_code == 200 and b"Email address confirmed" in page.content
    assert status_of(api) == "CONFIRMED"


def test_a_used_link_changes_nothing_the_second_time(api: V3Api) -> None:
    added(api)
    path = mailed_path(mail.outbox[0])
    assert confirm(path).status_code == 200
    [before] = api.get(EMAILS).json()
    again = Client().get(path)
    assert again.status_code == 200 and b"Already confirmed" in again.content
    assert api.get(EMAILS).json() == [before]
    # Confirmed is confirmed: an old link to it says so rather than offering a new one.
    old = Client().get(path_of(AccountEmail.objects.get(), confirmation_link_lifetime() * 2))
    assert old.status_code == 200 and b"Already confirmed" in old.content


def test_an_expired_link_confirms_nothing_and_can_send_a_new_one(api: V3Api) -> None:
    email = added(api)
    mail.outbox.clear()
    expired = path_of(email, confirmation_link_lifetime() + timedelta(seconds=5))
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(expired)
    assert page.status_code == 410 and b"Link expired" in page.content and b"72 hours" in page.content
    assert b"dlang@example.com" in page.content and page["Cache-Control"].startswith("max-age=0")
    assert status_of(api) == "UNCONFIRMED"

    sent = browser.post(expired, {"csrfmiddlewaretoken": csrf_token(page), "action": "resend"})
    assert sent.status_code == 200 and b"New link sent" in sent.content
    [message] = mail.outbox
    assert message.to == ["dlang@example.com"]
    fresh = mailed_path(message)

    # The expired link is now replaced: it neither confirms nor asks for yet another link.
    assert browser.get(expired).status_code == 404
    assert Client().post(expired, {"action": "resend"}).status_code == 404 and len(mail.outbox) == 1
    assert confirm(fresh).status_code == 200
    assert status_of(api) == "CONFIRMED"


def test_a_resend_without_the_pages_csrf_token_is_refused(api: V3Api) -> None:
    email = added(api)
    mail.outbox.clear()
    expired = path_of(email, confirmation_link_lifetime() * 2)
    assert Client(enforce_csrf_checks=True).post(expired, {"action": "resend"}).status_code == 403
    assert not mail.outbox and AccountEmail.objects.get().confirm_token == email.confirm_token


def test_a_new_link_that_cannot_be_sent_leaves_the_old_one_as_it_was(api: V3Api, settings) -> None:  # type: ignore[no-untyped-def]
    email = added(api)
    expired = path_of(email, confirmation_link_lifetime() * 2)
    # An SMTP server that refuses connections: a real send that fails, as in add_account_email's test.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 5
    page = Client().post(expired, {"action": "resend"})
    assert page.status_code == 503 and b"could not be sent" in page.content
    assert AccountEmail.objects.get().confirm_token == email.confirm_token
    assert Client().get(expired).status_code == 410


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: path[:-1] + ("A" if path[-1] != "A" else "B"),  # the signature changed
        lambda path: path.rsplit(":", 1)[0],  # the signature cut off
        lambda path: re.sub(r"/email/[^:]+", "/email/" + "x" * 43, path),  # another token, the old signature
    ],
)
def test_a_tampered_link_is_not_recognized_and_sends_nothing(api: V3Api, tamper) -> None:  # type: ignore[no-untyped-def]
    added(api)
    path = tamper(mailed_path(mail.outbox[0]))
    mail.outbox.clear()
    page = Client().get(path)
    assert page.status_code == 404 and b"not valid" in page.content
    for action in ("confirm", "resend"):
        assert Client().post(path, {"action": action}).status_code == 404
    assert status_of(api) == "UNCONFIRMED" and not mail.outbox


def test_the_lifetime_comes_from_settings(api: V3Api, settings) -> None:  # type: ignore[no-untyped-def]
    email = added(api)
    settings.V3_EMAIL_CONFIRM_LINK_HOURS = 1
    page = Client().get(path_of(email, timedelta(hours=1, seconds=5)))
    assert page.status_code == 410 and b"valid for 1 hour and" in page.content and b"1 hours" not in page.content


def test_opening_a_link_only_asks_and_a_post_without_the_button_does_nothing(api: V3Api) -> None:
    added(api)
    path = mailed_path(mail.outbox[0])
    # Mail scanners fetch links: a GET, however often, must not confirm an address.
    for _ in range(2):
        page = Client().get(path)
        assert page.status_code == 200 and b"Confirm dlang@example.com" in page.content
    assert status_of(api) == "UNCONFIRMED"
    assert Client().post(path).status_code == 400
    assert status_of(api) == "UNCONFIRMED"


def test_a_link_mailed_before_links_were_signed_can_ask_for_a_new_one(api: V3Api) -> None:
    email = added(api)
    mail.outbox.clear()
    legacy = f"/v3-confirm/email/{email.confirm_token}"  # the bare token, as links were before they expired
    page = Client().get(legacy)
    assert page.status_code == 410 and b"Send a new link" in page.content
    assert Client().post(legacy, {"action": "confirm"}).status_code == 410
    assert status_of(api) == "UNCONFIRMED"
    assert Client().post(legacy, {"action": "resend"}).status_code == 200
    [message] = mail.outbox
    assert confirm(mailed_path(message)).status_code == 200 and status_of(api) == "CONFIRMED"
    assert Client().get(legacy).status_code == 404, "replaced by the new link"
