"""An event's public pages in Chromium: register, see the confirmation with its QR codes, open a ticket; axe on each."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from apps.v3.events.models import Event, Registration, TicketType
from apps.v3.events.services.events import create_default_event, patch_event
from tests.browser.test_accessibility import assert_accessible
from tests.v3.factories import AccountFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def event(transactional_db: Any) -> Event:
    """An ACTIVE event in New York with a free and a paid ticket, three seats left."""
    account = AccountFactory()
    made = create_default_event(account, {"name": "Harbor Lights", "start_time": "2099-06-01T22:00:00Z"})
    body = {
        "status": "ACTIVE",
        "time_zone": "America/New_York",
        "description": "An evening on the water.",
        "address": {"address_type": "EVENT", "location_name": "Pier 4", "city": "Boston", "state_code": "MA"},
        "default_track": {"overall_ticket_capacity": 3},
    }
    patch_event(account, made.event_id, body)
    TicketType.objects.create(track=made.track, name="Deck pass", price=Decimal("15.00"), display_order=2)
    return Event.objects.select_related("track").get(pk=made.pk)


def test_registering_shows_the_confirmation_and_a_ticket_page_all_accessible(page: Page, event: Event) -> None:
    page.goto(f"/e/{event.registration_key}/")
    expect(page.get_by_role("heading", name="Harbor Lights")).to_be_visible()
    expect(page.get_by_text("Monday, June 1, 2099, 6:00 PM")).to_be_visible()
    assert_accessible(page)

    # A mistake first: the error is announced and sits at its field.
    page.get_by_label("General Admission — Free").fill("4")
    page.get_by_label("First name").fill("Ann")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Email address").fill("ann@example.com")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("Your registration was not saved")
    expect(page.get_by_label("General Admission — Free")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Only 3 tickets remain; choose fewer.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("General Admission — Free").fill("1")
    page.get_by_label("Deck pass — $15.00").fill("1")
    page.get_by_label("How will you pay?").select_option("DOOR")
    page.get_by_label("Email me news and offers from the organizer").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="You are registered for Harbor Lights")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code of ticket"))).to_have_count(2)
    expect(page.get_by_text("$15.00").first).to_be_visible()
    assert_accessible(page)

    key = Registration.objects.get().ticket_rows.first().order_ticket_key
    page.get_by_role("link", name=f"Open ticket {key}").click()
    expect(page.get_by_text("Valid")).to_be_visible()
    assert_accessible(page)


def test_a_sold_out_event_says_so_accessibly(page: Page, event: Event) -> None:
    event.track.seats_taken = 3
    event.track.save()
    page.goto(f"/e/{event.registration_key}/")
    expect(page.get_by_role("status")).to_contain_text("Sold out")
    expect(page.get_by_role("button", name="Register")).to_have_count(0)
    assert_accessible(page)
