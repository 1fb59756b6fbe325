"""Resubscribe: ``PUT /contacts/resubscribe/{id}`` mails a link; only the contact's POST on its page resubscribes.

Links are made as of a chosen moment (``resubscribe_link(contact, issued_at=...)``) and checked
against the real clock, so an expired link needs no waiting. Pages are fetched with CSRF checks on,
as a browser would, and every API answer is checked against the spec by the ``api`` fixture.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from apps.v3.contacts.models import Contact, ContactList
from apps.v3.contacts.services.resubscribe_link import link_lifetime, resubscribe_link
from tests.v3.conftest import V3Api
from tests.v3.support import csrf_token, mailed_path

ORGANIZATION = "Riverside Books"
ADDRESS = "dana@example.com"


@pytest.fixture
def lists(api: V3Api) -> list[ContactList]:
    """Two lists of the ``api`` account, whose organization is named."""
    api.account.organization_name = ORGANIZATION
    api.account.save()
    return [ContactList.objects.create(account=api.account, name=name) for name in ("Poetry night", "New arrivals")]


def unsubscribed(api: V3Api, address: str = ADDRESS) -> str:
    """The id of a new contact of ``api``'s account who unsubscribed."""
    body = {"create_source": "Account", "email_address": {"address": address, "permission_to_send": "unsubscribed"}}
    response = api.post("/contacts", body)
    assert response.status_code == 201
    return str(response.json()["contact_id"])


def resubscribe(api: V3Api, contact_id: str, lists: list[ContactList]) -> Any:
    return api.put(f"/contacts/resubscribe/{contact_id}", {"list_ids": [str(item.list_id) for item in lists]})


def requested(api: V3Api, lists: list[ContactList], address: str = ADDRESS) -> tuple[str, str]:
    """A contact asked to resubscribe onto ``lists``: its id and the path of the link it was mailed."""
    contact_id = unsubscribed(api, address)
    assert resubscribe(api, contact_id, lists).status_code == 200
    return contact_id, mailed_path(mail.outbox[-1])


def path_of(contact_id: str, age: timedelta) -> str:
    """The path of a link to the contact's current request made ``age`` ago."""
    contact = Contact.objects.get(contact_id=contact_id)
    return urlsplit(resubscribe_link(contact, issued_at=timezone.now() - age)).path


def contact_of(api: V3Api, contact_id: str) -> dict[str, Any]:
    response = api.get(f"/contacts/{contact_id}", params={"include": "list_memberships"})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def confirm(path: str) -> Any:
    """What a browser does: open the page, then press its button (with the page's CSRF token)."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200, page.content
    return browser.post(path, {"csrfmiddlewaretoken": csrf_token(page)})


def refused_without_change(api: V3Api, contact_id: str, path: str, status: int, says: bytes) -> None:
    """Neither a GET nor a POST of ``path`` changes the contact; both answer ``status`` saying ``says``."""
    before = contact_of(api, contact_id)
    for response in (Client().get(path), Client().post(path)):
        assert response.status_code == status and says in response.content, response.content
        assert b"Nothing was changed" in response.content and b"resubscribe me" not in response.content
    assert contact_of(api, contact_id) == before


def test_the_request_mails_a_link_naming_the_organization_and_the_lists(api: V3Api, lists: list[ContactList]) -> None:
    contact_id = unsubscribed(api)
    assert resubscribe(api, contact_id, lists).status_code == 200
    [message] = mail.outbox
    assert message.to == [ADDRESS] and ORGANIZATION in message.subject
    body = str(message.body)
    assert ORGANIZATION in body and "Poetry night" in body and "New arrivals" in body
    assert "within 30 days" in body and link_lifetime() == timedelta(days=30)
    assert "/v3-confirm/resubscribe/" in mailed_path(message)
    contact = contact_of(api, contact_id)
    assert contact["email_address"]["permission_to_send"] == "pending_confirmation"
    assert sorted(contact["list_memberships"]) == sorted(str(item.list_id) for item in lists)

    # The spec: the resubscribe email is sent only once.
    again = resubscribe(api, contact_id, lists[:1])
    assert again.status_code == 409 and "not unsubscribed" in again.json()[0]["error_message"]
    assert len(mail.outbox) == 1


def test_opening_the_link_changes_nothing_and_the_button_resubscribes(api: V3Api, lists: list[ContactList]) -> None:
    contact_id, path = requested(api, lists)
    pending = contact_of(api, contact_id)
    for _ in range(2):  # a mail scanner's prefetch, then the contact
        page = Client().get(path)
        assert page.status_code == 200 and b"Yes, resubscribe me" in page.content
        assert ORGANIZATION.encode() in page.content and ADDRESS.encode() in page.content
        assert page["Cache-Control"].startswith("max-age=0")
    assert contact_of(api, contact_id) == pending
    # The button needs the page's CSRF token.
    assert Client(enforce_csrf_checks=True).post(path).status_code == 403
    assert contact_of(api, contact_id) == pending

    started = timezone.now()
    done = confirm(path)
    assert done.status_code == 200 and b"You are resubscribed" in done.content and ORGANIZATION.encode() in done.content
    email = contact_of(api, contact_id)["email_address"]
    assert email["permission_to_send"] == "explicit" and email["confirm_status"] == "confirmed"
    assert email["opt_in_source"] == "Contact"
    assert started <= datetime.fromisoformat(email["opt_in_date"]) <= timezone.now()
    assert "opt_out_date" not in email
    assert contact_of(api, contact_id)["list_memberships"] == pending["list_memberships"]


def test_a_used_link_changes_nothing_the_second_time(api: V3Api, lists: list[ContactList]) -> None:
    contact_id, path = requested(api, lists)
    assert confirm(path).status_code == 200
    confirmed = contact_of(api, contact_id)
    for again in (Client().get(path), Client().post(path)):
        assert again.status_code == 200 and b"Already subscribed" in again.content
        assert b"Nothing was changed" in again.content
    assert contact_of(api, contact_id) == confirmed


def test_a_link_works_within_its_lifetime_and_an_expired_one_changes_nothing(
    api: V3Api, lists: list[ContactList]
) -> None:
    contact_id, _ = requested(api, lists)
    expired = path_of(contact_id, link_lifetime() + timedelta(seconds=5))
    refused_without_change(api, contact_id, expired, 410, b"valid for 30 days and has expired")
    assert contact_of(api, contact_id)["email_address"]["permission_to_send"] == "pending_confirmation"
    # Made almost the whole lifetime ago, a link still works.
    assert confirm(path_of(contact_id, link_lifetime() - timedelta(minutes=1))).status_code == 200
    assert contact_of(api, contact_id)["email_address"]["permission_to_send"] == "explicit"


def test_the_lifetime_comes_from_settings(api: V3Api, lists: list[ContactList], settings) -> None:  # type: ignore[no-untyped-def]
    settings.V3_RESUBSCRIBE_LINK_DAYS = 1
    contact_id, _ = requested(api, lists)
    assert "within 1 day and" in str(mail.outbox[0].body)
    page = Client().get(path_of(contact_id, timedelta(days=1, seconds=5)))
    assert page.status_code == 410 and b"valid for 1 day and" in page.content and b"1 days" not in page.content


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: path[:-1] + ("A" if path[-1] != "A" else "B"),  # the signature changed
        lambda path: path.rsplit(":", 1)[0],  # the signature cut off
        lambda path: path.rsplit(":", 2)[0],  # the bare request, unsigned
        lambda path: re.sub(r"\.[0-9A-Za-z]+:", ".1:", path),  # another request of the same contact
    ],
)
def test_a_tampered_link_is_not_recognized(api: V3Api, lists: list[ContactList], tamper: Callable[[str], str]) -> None:
    contact_id, path = requested(api, lists)
    refused_without_change(api, contact_id, tamper(path), 404, b"not valid")


def test_a_link_cannot_be_turned_into_one_for_another_accounts_contact(
    api: V3Api, other_api: V3Api, lists: list[ContactList]
) -> None:
    _, path = requested(api, lists)
    theirs = ContactList.objects.create(account=other_api.account, name="Members")
    victim, their_path = requested(other_api, [theirs], address="lee@example.com")
    assert mailed_path(mail.outbox[-1]) == their_path != path
    # The same signature over the other contact's id, with this link's request or with theirs.
    own_id = Contact.objects.get(email_address=ADDRESS).contact_id
    forged = path.replace(str(own_id), victim)
    their_stamp = re.search(r"\.([0-9A-Za-z]+):", their_path)
    assert forged != path and their_stamp is not None
    for attempt in (forged, re.sub(r"\.[0-9A-Za-z]+:", f".{their_stamp.group(1)}:", forged)):
        refused_without_change(other_api, victim, attempt, 404, b"not valid")
    assert contact_of(other_api, victim)["email_address"]["permission_to_send"] == "pending_confirmation"


def test_a_link_to_a_contact_deleted_since_changes_nothing(api: V3Api, lists: list[ContactList]) -> None:
    contact_id, path = requested(api, lists)
    assert api.delete(f"/contacts/{contact_id}").status_code == 204
    refused_without_change(api, contact_id, path, 410, b"no longer exists")
    contact = Contact.objects.get(contact_id=contact_id)
    assert contact.deleted_at is not None and contact.permission_to_send == "pending_confirmation"


def test_a_link_after_the_account_changed_the_permission_changes_nothing(api: V3Api, lists: list[ContactList]) -> None:
    contact_id, first = requested(api, lists)
    body = {"update_source": "Account", "email_address": {"address": ADDRESS, "permission_to_send": "unsubscribed"}}
    assert api.put(f"/contacts/{contact_id}", body).status_code == 200
    refused_without_change(api, contact_id, first, 409, b"no longer applies")
    assert contact_of(api, contact_id)["email_address"]["permission_to_send"] == "unsubscribed"

    # Unsubscribed again, the contact can be asked again; only the newest link answers that request.
    assert resubscribe(api, contact_id, lists[:1]).status_code == 200
    newest = mailed_path(mail.outbox[-1])
    refused_without_change(api, contact_id, first, 409, b"no longer applies")
    assert confirm(newest).status_code == 200
    assert contact_of(api, contact_id)["email_address"]["permission_to_send"] == "explicit"


def test_a_mail_that_cannot_be_sent_changes_nothing(api: V3Api, lists: list[ContactList], settings) -> None:  # type: ignore[no-untyped-def]
    contact_id = unsubscribed(api)
    before = contact_of(api, contact_id)
    # An SMTP server that refuses connections: a real send that fails.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 5
    response = resubscribe(api, contact_id, lists)
    assert response.status_code == 503
    [failure] = response.json()
    assert failure["error_key"] == "api.service_unavailable" and "could not be sent" in failure["error_message"]
    assert contact_of(api, contact_id) == before
    assert before["email_address"]["permission_to_send"] == "unsubscribed" and before["list_memberships"] == []

    # Nothing was sent, so the one request the contact may get is still to come.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert resubscribe(api, contact_id, lists).status_code == 200 and len(mail.outbox) == 1


def test_the_account_cannot_skip_the_confirmation_of_a_contact_who_unsubscribed_themselves(
    api: V3Api, lists: list[ContactList]
) -> None:
    contact_id = unsubscribed(api)
    Contact.objects.filter(contact_id=contact_id).update(opt_out_source="Contact")
    assert resubscribe(api, contact_id, lists).status_code == 200
    path = f"/contacts/{contact_id}"

    def put(permission: str) -> Any:
        body = {"update_source": "Account", "email_address": {"address": ADDRESS, "permission_to_send": permission}}
        return api.put(path, body)

    for permission in ("explicit", "implicit"):
        response = put(permission)
        assert response.status_code == 409, response.content
        assert "not yet confirmed" in response.json()[0]["error_message"]
    # Saving back what was read stays possible, and the contact's own opt-out is still on record.
    assert put("pending_confirmation").status_code == 200
    assert Contact.objects.get(contact_id=contact_id).opt_out_source == "Contact"
    # Moving them back to unsubscribed leaves the opt-out theirs, so opting in is still refused.
    assert put("unsubscribed").status_code == 200
    assert Contact.objects.get(contact_id=contact_id).opt_out_source == "Contact"
    assert "resubscribe" in put("explicit").json()[0]["error_message"]

    # Only the contact's confirmation resubscribes them, and that clears the opt-out.
    assert resubscribe(api, contact_id, lists).status_code == 200
    assert confirm(mailed_path(mail.outbox[-1])).status_code == 200
    email = contact_of(api, contact_id)["email_address"]
    assert email["permission_to_send"] == "explicit" and email["opt_in_source"] == "Contact"
    assert "opt_out_source" not in email and "opt_out_date" not in email
