"""Helpers the events tests share: an ACTIVE event made through the API, and registrations through the page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.test import Client

from apps.v3.events.models import Event, Item, PromoCode, Registration, TicketType
from apps.v3.events.services.registering import Order, register
from tests.v3.conftest import V3Api


def active_event(api: V3Api, name: str = "Reunion", capacity: int = 100, **patch: Any) -> Event:
    """A default event, published with ``capacity`` seats (and any other PATCH fields)."""
    response = api.post("/events/default", params={"name": name, "start_time": "2099-06-01T18:00:00Z"})
    assert response.status_code == 201, response.content
    event_id = response.json()["event_id"]
    body = {"status": "ACTIVE", "default_track": {"overall_ticket_capacity": capacity}, **patch}
    response = api.patch(f"/events/{event_id}", body)
    assert response.status_code == 204, response.content
    return Event.objects.select_related("track").get(event_id=event_id)


def paid_ticket(event: Event, name: str = "VIP", price: str = "25.00") -> TicketType:
    """A priced ticket type on the event's track (the API has no field for ticket types)."""
    return TicketType.objects.create(track=event.track, name=name, price=Decimal(price), display_order=2)


def item(event: Event, name: str = "T-shirt", price: str = "10.00", total: int = 5) -> Item:
    """An item on sale beside the tickets."""
    return Item.objects.create(track=event.track, name=name, price=Decimal(price), quantity_total=total)


def promo(event: Event, name: str = "HALF", percent: int = 50, total: int | None = None) -> PromoCode:
    """A percentage promo code."""
    return PromoCode.objects.create(track=event.track, name=name, discount_percent=percent, quantity_total=total)


def free_ticket(event: Event) -> TicketType:
    """The default event's free General Admission ticket type."""
    return event.track.ticket_types.get(price=0)


def registered(event: Event, email: str, tickets: dict[TicketType, int] | None = None, **order: Any) -> Registration:
    """A registration made by the same action the public page calls."""
    event = Event.objects.select_related("track", "account").get(pk=event.pk)
    tickets = tickets or {free_ticket(event): 1}
    return register(
        event, Order(first_name="Ann", last_name=email.split("@")[0], email_address=email, tickets=tickets, **order)
    )


def form_of(page: Any) -> dict[str, str]:
    """The registration form's CSRF token, as a browser posts it back."""
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert found is not None, page.content[:500]
    return {"csrfmiddlewaretoken": found.group(1).decode()}


def page_path(event: Event) -> str:
    """The event's public registration page path."""
    return f"/e/{event.registration_key}/"


def register_through_page(client: Client, event: Event, data: dict[str, Any]) -> Any:
    """GET the page, then POST the form with its CSRF token."""
    page = client.get(page_path(event))
    assert page.status_code == 200, page.content[:300]
    return client.post(page_path(event), {**form_of(page), **data})
