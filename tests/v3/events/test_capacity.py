"""Capacity is never oversold: 50 registrants at once for the last 10 seats, over real HTTP on PostgreSQL."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.db import connection

from apps.v3.events.models import Registration, Ticket, Track
from tests.v3.conftest import V3Api
from tests.v3.events.support import active_event, free_ticket, page_path, registered

REGISTRANTS = 50
SEATS_LEFT = 10


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race is run on PostgreSQL (DATABASE_URL)")
def test_fifty_concurrent_registrations_for_the_last_ten_seats_give_exactly_ten_tickets(
    api: V3Api, live_server: Any
) -> None:
    event = active_event(api, capacity=20)
    for n in range(20 - SEATS_LEFT):
        registered(event, f"early{n}@example.com")
    url = live_server.url + page_path(event)
    field = f"ticket_{free_ticket(event).ticket_id}"
    # Every registrant first loads the page (its CSRF cookie and token), then all post at once.
    ready = threading.Barrier(REGISTRANTS, timeout=60)

    def registrant(n: int) -> requests.Response:
        with requests.Session() as browser:
            page = browser.get(url, timeout=30)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            assert token is not None, page.text[:300]
            data = {
                "csrfmiddlewaretoken": token.group(1),
                "first_name": "Racer",
                "last_name": str(n),
                "email_address": f"racer{n}@example.com",
                field: "1",
            }
            ready.wait()
            return browser.post(url, data=data, timeout=60, allow_redirects=False)

    with ThreadPoolExecutor(REGISTRANTS) as pool:
        responses = list(pool.map(registrant, range(REGISTRANTS)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [303] * SEATS_LEFT + [409] * (REGISTRANTS - SEATS_LEFT), statuses
    refused = [r for r in responses if r.status_code == 409]
    assert all("Sold out" in r.text for r in refused)
    assert Track.objects.get(pk=event.track.pk).seats_taken == 20
    assert Ticket.objects.filter(registration__track=event.track).count() == 20
    racers = Registration.objects.filter(track=event.track, email_address__startswith="racer")
    assert racers.count() == SEATS_LEFT
