"""The public registration page, the confirmation page and mail with QR codes, and the ticket page."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from django.core import mail
from django.test import Client

from apps.v3.contacts.models import Contact
from apps.v3.events.models import Event, Item, Registration, Ticket, Track
from tests.v3.conftest import V3Api
from tests.v3.events.support import active_event, form_of, item, page_path, paid_ticket, promo, register_through_page

PERSON = {"first_name": "Ann", "last_name": "Lee", "email_address": "Ann.Lee@Example.com"}


def _free(event: Event, n: int = 1) -> dict[str, Any]:
    return {f"ticket_{event.track.ticket_types.get(price=0).ticket_id}": n}


def _nothing_saved(event: Event) -> None:
    assert Registration.objects.count() == 0 and Ticket.objects.count() == 0
    assert Track.objects.get(pk=event.track.pk).seats_taken == 0


def test_a_registration_through_the_page_over_real_http_is_seen_checked_in_and_undone_through_the_api(
    api: V3Api, live_server: Any
) -> None:
    event = active_event(api, time_zone="US/Eastern", description="Bring a friend.")
    browser = requests.Session()
    page = browser.get(live_server.url + page_path(event), timeout=10)
    assert page.status_code == 200
    assert "Monday, June 1, 2099, 2:00 PM" in page.text and "EDT" in page.text and "Bring a friend." in page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    data = {"csrfmiddlewaretoken": token.group(1), **PERSON, **_free(event, 2), "email_consent": "on"}
    posted = browser.post(live_server.url + page_path(event), data=data, timeout=10, allow_redirects=False)
    assert posted.status_code == 303, posted.text[:500]
    confirmation = browser.get(live_server.url + posted.headers["Location"], timeout=10)
    assert confirmation.status_code == 200 and "You are registered for Reunion" in confirmation.text
    assert confirmation.text.count('<svg role="img" aria-label="QR code of ticket') == 2

    registration = Registration.objects.get()
    listing = api.get(f"/events/{event.event_id}/tracks/{event.track.track_id}/registrations").json()
    record = listing["records"][0]
    assert (record["email_address"], record["tickets"], record["new_contact"]) == ("ann.lee@example.com", 2, True)
    contact = Contact.objects.get(contact_id=registration.contact.contact_id)
    assert (contact.create_source, contact.permission_to_send, contact.first_name) == ("Contact", "explicit", "Ann")

    detail = api.get(
        f"/events/{event.event_id}/tracks/{event.track.track_id}/registrations/{registration.registration_id}"
    )
    key = detail.json()["tickets"][0]["order_ticket_key"]
    ticket_page = live_server.url + f"/e/t/{key}/"
    assert "not checked in yet" in browser.get(ticket_page, timeout=10).text
    assert api.post(f"/events/{event.event_id}/check_in/tickets", {"order_ticket_keys": [key]}).status_code == 204
    assert "Already checked in" in browser.get(ticket_page, timeout=10).text
    assert api.post(f"/events/{event.event_id}/undo_check_in/tickets", {"order_ticket_keys": [key]}).status_code == 204
    assert "not checked in yet" in browser.get(ticket_page, timeout=10).text

    (message,) = mail.outbox
    assert message.to == ["ann.lee@example.com"] and "Reunion" in message.subject
    html = message.alternatives[0][0]
    keys = list(registration.ticket_rows.values_list("order_ticket_key", flat=True))
    images = [part for part in message.attachments if getattr(part, "get_content_type", lambda: "")() == "image/png"]
    assert len(images) == 2 and {i["Content-ID"] for i in images} == {f"<ticket-{k}@ctctdash>" for k in keys}
    for k in keys:
        assert f"cid:ticket-{k}@ctctdash" in html and f"/e/t/{k}/" in message.body
    assert detail.json()["order_summary"]["tickets_link"] in message.body


def test_without_consent_the_contact_has_no_email_permission_and_a_second_registration_updates_it(
    api: V3Api, client: Client
) -> None:
    event = active_event(api)
    assert (
        register_through_page(client, event, {**PERSON, **_free(event), "email_address": "new@example.com"}).status_code
        == 303
    )
    assert Contact.objects.get(email_address="new@example.com").permission_to_send == "not_set"
    Contact.objects.create(
        account=api.account, email_address="ann.lee@example.com", first_name="", permission_to_send="unsubscribed"
    )
    data = {**PERSON, **_free(event), "phone_number": "+1 (555) 010-9999", "sms_consent": "on"}
    assert register_through_page(client, event, data).status_code == 303
    contact = Contact.objects.get(account=api.account, email_address="ann.lee@example.com")
    # A registration is no opt-in: an unsubscribed contact stays unsubscribed from email.
    assert (contact.first_name, contact.permission_to_send, contact.sms_address, contact.sms_permission) == (
        "Ann",
        "unsubscribed",
        "15550109999",
        "explicit",
    )
    assert Registration.objects.get(email_address="ann.lee@example.com").new_contact is False


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"email_address": ""}, "email_address", "required"),
        ({"email_address": "not-an-email"}, "email_address", "valid email"),
        ({"first_name": "x" * 51}, "first_name", "at most 50"),
        ({"sms_consent": "on"}, "phone_number", "mobile number"),
        ({"ticket": "-1"}, "ticket", "greater than or equal to 0"),
        ({"ticket": "0"}, "ticket", "at least one ticket"),
    ],
)
def test_a_form_with_a_bad_field_says_so_at_the_field_and_saves_nothing(
    api: V3Api, client: Client, change: dict, field: str, words: str
) -> None:
    event = active_event(api)
    name = next(iter(_free(event)))
    data = {**PERSON, **_free(event)}
    for key, value in change.items():
        data[name if key == "ticket" else key] = value
    response = register_through_page(client, event, data)
    html = response.content.decode()
    assert response.status_code in (400, 409), html[:300]
    field_id = f"id_{name if field == 'ticket' else field}"
    assert re.search(rf'<ul class="errorlist" id="{field_id}_error"><li>[^<]*{words}', html), html
    assert 'aria-invalid="true"' in html and f'aria-describedby="{field_id}_error"' in html
    _nothing_saved(event)
    assert Contact.objects.count() == 0


def test_the_owner_is_told_of_a_registration_when_the_event_asks(
    api: V3Api, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    owner = {"name": "Jo Host", "organization_name": "Harbor Club", "email_address": "host@example.com"}
    event = active_event(api, notify_owner_on_reg=True, contact=owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert register_through_page(client, event, {**PERSON, **_free(event, 2)}).status_code == 303
    confirmation, notice = mail.outbox
    assert confirmation.to == ["ann.lee@example.com"] and notice.to == ["host@example.com"]
    assert "Ann Lee" in notice.subject and "2 tickets" in notice.body


def test_an_empty_post_is_a_form_with_errors(api: V3Api, client: Client) -> None:
    event = active_event(api)
    response = client.post(page_path(event), {})
    assert response.status_code == 400 and b"This field is required." in response.content
    _nothing_saved(event)


def test_more_tickets_than_remain_are_refused_at_the_tickets(api: V3Api, client: Client) -> None:
    event = active_event(api, capacity=2)
    response = register_through_page(client, event, {**PERSON, **_free(event, 3)})
    assert response.status_code == 409
    assert "Only 2 tickets remain; choose fewer." in response.content.decode()
    _nothing_saved(event)


def test_a_sold_out_item_rolls_the_seats_back(api: V3Api, client: Client) -> None:
    event = active_event(api)
    shirt = item(event, price="0", total=1)
    response = register_through_page(client, event, {**PERSON, **_free(event), f"item_{shirt.item_id}": "2"})
    assert response.status_code == 409 and "T-shirt: not enough remain" in response.content.decode()
    _nothing_saved(event)
    assert Item.objects.get(pk=shirt.pk).quantity_sold == 0


def test_a_sold_out_event_shows_it_and_refuses_a_post(api: V3Api, client: Client) -> None:
    event = active_event(api, capacity=1)
    assert register_through_page(client, event, {**PERSON, **_free(event)}).status_code == 303
    page = client.get(page_path(event))
    assert "Sold out" in page.content.decode() and b"<form" not in page.content
    response = client.post(page_path(event), {**PERSON, **_free(event)})
    assert response.status_code == 409 and Registration.objects.count() == 1


def test_closed_draft_and_unknown_events(api: V3Api, client: Client) -> None:
    event = active_event(api, default_track={"reg_manually_closed_flag": True})
    page = client.get(page_path(event))
    assert (
        page.status_code == 200 and "Registration is closed." in page.content.decode() and b"<form" not in page.content
    )
    assert client.post(page_path(event), {**PERSON, **_free(event)}).status_code == 409
    draft = api.post("/events/default", params={"name": "Draft"}).json()
    assert client.get(page_path(Event.objects.get(event_id=draft["event_id"]))).status_code == 404
    assert client.get("/e/nosuchkey/").status_code == 404
    assert client.get("/e/r/forged/").status_code == 404
    assert client.get("/e/t/nosuchticket/").status_code == 404


def test_a_paid_order_with_a_promo_code_at_the_door_and_online(api: V3Api, client: Client) -> None:
    event = active_event(api)
    vip = paid_ticket(event, price="25.00")
    promo(event, "HALF", 50, total=1)
    door = register_through_page(
        client,
        event,
        {**PERSON, f"ticket_{vip.ticket_id}": "2", **_free(event, 0), "promo_code": "half", "payment_method": "DOOR"},
    )
    assert door.status_code == 303
    registration = Registration.objects.get()
    assert (registration.total, registration.registration_status, registration.payment_status) == (
        25,
        "REGISTERED",
        "PENDING",
    )
    summary = client.get(door["Location"]).content.decode()
    assert "$50.00" in summary and "-$25.00" in summary and "$25.00" in summary
    used_up = register_through_page(
        client,
        event,
        {
            **PERSON,
            "email_address": "bo@example.com",
            f"ticket_{vip.ticket_id}": "1",
            **_free(event, 0),
            "promo_code": "HALF",
            "payment_method": "DOOR",
        },
    )
    assert used_up.status_code == 409 and "used up" in used_up.content.decode()
    missing = register_through_page(
        client, event, {**PERSON, "email_address": "cy@example.com", f"ticket_{vip.ticket_id}": "1", **_free(event, 0)}
    )
    assert missing.status_code == 409 and "Choose how you will pay." in missing.content.decode()
    online = register_through_page(
        client,
        event,
        {
            **PERSON,
            "email_address": "di@example.com",
            f"ticket_{vip.ticket_id}": "1",
            **_free(event, 0),
            "payment_method": "STRIPE",
        },
    )
    card = Registration.objects.get(email_address="di@example.com")
    assert (card.registration_status, card.payment_status, card.total) == ("PENDING", "PENDING", 25)
    assert "Your seats are held" in client.get(online["Location"]).content.decode()
    path = f"/events/{event.event_id}/tracks/{event.track.track_id}/registrations/payment_status"
    assert api.put(path, {"registration_ids": [str(card.registration_id)], "payment_status": "PAID"}).status_code == 200
    assert "You are registered for Reunion" in client.get(online["Location"]).content.decode()


def test_a_cancelled_registrations_ticket_page_says_it_is_not_valid(api: V3Api, client: Client) -> None:
    event = active_event(api)
    response = register_through_page(client, event, {**PERSON, **_free(event)})
    registration = Registration.objects.get()
    body = {"registration_ids": [str(registration.registration_id)], "registration_status": "CANCELED"}
    api.put(f"/events/{event.event_id}/tracks/{event.track.track_id}/registrations", body)
    key = registration.ticket_rows.get().order_ticket_key
    assert "this ticket was cancelled" in client.get(f"/e/t/{key}/").content.decode()
    assert "cancel" in client.get(response["Location"]).content.decode().lower()
    assert form_of(client.get(page_path(event)))


def test_a_single_ticket_event_and_a_passed_registration_end(api: V3Api, client: Client) -> None:
    single = active_event(api, name="Single", default_track={"restrict_to_single_ticket_flag": True})
    vip = paid_ticket(single)
    data = {**PERSON, **_free(single), f"ticket_{vip.ticket_id}": "1", "payment_method": "DOOR"}
    response = register_through_page(client, single, data)
    assert response.status_code == 409 and "one ticket per registration" in response.content.decode()
    ended = active_event(api, name="Ended", default_track={"registration_end_time": "2000-01-01T00:00:00Z"})
    page = client.get(page_path(ended))
    assert "the registration period has ended" in page.content.decode() and b"<form" not in page.content
    assert Registration.objects.count() == 0
