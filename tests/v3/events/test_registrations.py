"""Registrations of a track: listing (filters, sorts, limit/page_size, cursors), detail, check-in, status updates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.v3.events.models import Event, Item, Registration, RegistrationStatus, Ticket, TicketStatus, Track
from tests.v3.conftest import V3Api
from tests.v3.events.support import active_event, free_ticket, item, paid_ticket, registered
from tests.v3.support import error


def _path(event: Event, tail: str = "") -> str:
    return f"/events/{event.event_id}/tracks/{event.track.track_id}/registrations{tail}"


@pytest.fixture
def event(api: V3Api) -> Event:
    return active_event(api)


@pytest.fixture
def crowd(event: Event) -> list[Registration]:
    """Six registrations differing in every sortable field."""
    vip = paid_ticket(event, price="30.00")
    free = free_ticket(event)
    rows = [
        registered(event, "cara@example.com", {free: 1}),
        registered(event, "abe@example.com", {vip: 2}, payment_method="DOOR"),
        registered(event, "bea@example.com", {vip: 1}, payment_method="STRIPE"),
        registered(event, "dan@example.com", {free: 3}),
        registered(event, "eve@example.com", {vip: 1, free: 1}, payment_method="CHECK"),
        registered(event, "fay@example.com", {free: 1}),
    ]
    Registration.objects.filter(pk=rows[5].pk).update(registration_status=RegistrationStatus.FAILED)
    return rows


FIELDS = ["first_name", "last_name", "email_address", "registration_status", "payment_status", "tickets", "total"]


@pytest.mark.parametrize("sort_by", FIELDS)
@pytest.mark.parametrize("sort_order", ["ASC", "DESC"])
def test_every_sort_field_orders_the_whole_listing_across_pages(
    api: V3Api, event: Event, crowd: list[Registration], sort_by: str, sort_order: str
) -> None:
    params = {"sort_by": sort_by, "sort_order": sort_order, "limit": "2"}
    body = api.get(_path(event), params=params).json()
    seen = body["records"]
    assert body["total_records"] == 6
    while "next_cursor" in body:
        body = api.get(_path(event), params={**params, "next": body["next_cursor"]}).json()
        seen += body["records"]
    rows = sorted(Registration.objects.filter(track=event.track), key=lambda r: (getattr(r, sort_by), r.pk))
    if sort_order == "DESC":
        rows.reverse()
    assert [r["registration_id"] for r in seen] == [str(r.registration_id) for r in rows]


def test_prev_goes_back_to_the_page_before(api: V3Api, event: Event, crowd: list[Registration]) -> None:
    params = {"sort_by": "email_address", "page_size": "2"}
    first = api.get(_path(event), params=params).json()
    second = api.get(_path(event), params={**params, "next": first["next_cursor"]}).json()
    back = api.get(_path(event), params={**params, "prev": second["prev_cursor"]}).json()
    assert back["records"] == first["records"] and "prev_cursor" not in back
    assert second["_links"]["next"]["href"].startswith(f"/v3{_path(event)}?")


def test_filters_and_search(api: V3Api, event: Event, crowd: list[Registration]) -> None:
    def emails(**params: str) -> list[str]:
        return sorted(r["email_address"] for r in api.get(_path(event), params=params).json()["records"])

    assert emails(registration_status="PENDING") == ["bea@example.com"]
    assert emails(registration_status="IN_PROGRESS, FAILED") == ["fay@example.com"]
    assert emails(payment_status="PENDING") == ["abe@example.com", "bea@example.com", "eve@example.com"]
    assert emails(search_text="EVE") == ["eve@example.com"]
    free = api.get(_path(event), params={"search_text": "cara"}).json()["records"][0]
    assert "payment_status" not in free and free["total"] == 0
    assert api.get(_path(event), params={"limit": "3", "page_size": "3"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"limit": "2", "page_size": "3"}, ["limit, page_size", "same"]),
        ({"limit": "501"}, ["limit", "500"]),
        ({"page_size": "x"}, ["page_size"]),
        ({"next": "a", "prev": "b"}, ["next, prev"]),
        ({"sort_by": "phone"}, ["sort_by"]),
        ({"registration_status": "CANCELLED"}, ["registration_status"]),
        ({"payment_status": "CANCELED"}, ["payment_status"]),
    ],
)
def test_the_listing_refuses_bad_parameters(api: V3Api, event: Event, params: dict, words: list) -> None:
    error(api.get(_path(event), params=params), 400, *words)


def test_a_track_of_another_event_is_not_found(api: V3Api, event: Event) -> None:
    other = active_event(api, name="Other")
    error(api.get(f"/events/{event.event_id}/tracks/{other.track.track_id}/registrations"), 404, "track")


def test_one_registration_in_detail(api: V3Api, event: Event) -> None:
    vip = paid_ticket(event, price="25.00")
    shirt = item(event, price="10.00")
    registration = registered(event, "ann@example.com", {vip: 2}, items={shirt: 1}, payment_method="DOOR")
    body = api.get(_path(event, f"/{registration.registration_id}")).json()
    assert body["registration_status"] == "REGISTERED" and body["eligible_checkin_tickets"] == 2
    assert [t["ticket_name"] for t in body["tickets"]] == ["VIP", "VIP"]
    summary = body["order_summary"]
    assert summary["payment_method"] == "DOOR" and summary["payment_status"] == "PENDING"
    assert [(d["line_item_type"], d["amount"]) for d in summary["details"]] == [
        ("TICKET", "$50.00"),
        ("ITEM", "$10.00"),
    ]
    assert summary["tickets_link"].split("/e/r/")[1]
    assert body["contact_id"] == str(registration.contact.contact_id)
    error(api.get(_path(event, "/00000000-0000-4000-8000-000000000000")), 404)


def test_check_in_and_undo(api: V3Api, event: Event) -> None:
    registration = registered(event, "ann@example.com", {free_ticket(event): 2})
    first, second = registration.ticket_rows.all()
    body = {"order_ticket_keys": [first.order_ticket_key]}
    assert api.post(f"/events/{event.event_id}/check_in/tickets", body).status_code == 204
    stamped = Ticket.objects.get(pk=first.pk).checked_in_time
    assert stamped is not None
    detail = api.get(_path(event, f"/{registration.registration_id}")).json()
    assert (detail["checkedIn_tickets"], detail["checkin_status"]) == (1, "PARTIALLY_CHECKED_IN")
    # A second scan keeps the first one's time.
    api.post(
        f"/events/{event.event_id}/check_in/tickets",
        {"order_ticket_keys": [first.order_ticket_key, second.order_ticket_key]},
    )
    assert Ticket.objects.get(pk=first.pk).checked_in_time == stamped
    assert api.get(_path(event, f"/{registration.registration_id}")).json()["checkin_status"] == "CHECKED_IN"
    assert api.post(f"/events/{event.event_id}/undo_check_in/tickets", body).status_code == 204
    assert Ticket.objects.get(pk=first.pk).checked_in_time is None


def test_check_in_refusals_change_nothing(api: V3Api, event: Event) -> None:
    good = registered(event, "ann@example.com").ticket_rows.get()
    cancelled = registered(event, "bob@example.com").ticket_rows.get()
    Ticket.objects.filter(pk=cancelled.pk).update(status=TicketStatus.CANCELLED)
    url = f"/events/{event.event_id}/check_in/tickets"
    error(api.post(url, {"order_ticket_keys": [good.order_ticket_key, cancelled.order_ticket_key]}), 400, "cancelled")
    error(api.post(url, {"order_ticket_keys": [good.order_ticket_key, "nosuchticket"]}), 404, "nosuchticket")
    error(api.post(url, {"order_ticket_keys": []}), 400, "at least one")
    other = active_event(api, name="Other")
    error(api.post(f"/events/{other.event_id}/check_in/tickets", {"order_ticket_keys": [good.order_ticket_key]}), 404)
    assert not Ticket.objects.filter(checked_in_time__isnull=False).exists()


def test_check_in_needs_an_active_or_complete_event(api: V3Api) -> None:
    draft = api.post("/events/default", params={"name": "Draft"}).json()
    error(api.post(f"/events/{draft['event_id']}/check_in/tickets", {"order_ticket_keys": ["x"]}), 400, "DRAFT")
    error(api.post(f"/events/{draft['event_id']}/undo_check_in/tickets", {"order_ticket_keys": ["x"]}), 400, "DRAFT")


def test_cancelling_frees_seats_and_items_and_cancels_tickets(api: V3Api, event: Event) -> None:
    shirt = item(event, price="0", total=2)
    registration = registered(event, "ann@example.com", {free_ticket(event): 3}, items={shirt: 2})
    body = {"registration_ids": [str(registration.registration_id)], "registration_status": "CANCELED"}
    response = api.put(_path(event), body)
    assert response.status_code == 200 and response.content == b""
    assert Track.objects.get(pk=event.track.pk).seats_taken == 0
    assert Item.objects.get(pk=shirt.pk).quantity_sold == 0
    assert set(registration.ticket_rows.values_list("status", flat=True)) == {"CANCELLED"}
    key = registration.ticket_rows.first().order_ticket_key
    error(api.post(f"/events/{event.event_id}/check_in/tickets", {"order_ticket_keys": [key]}), 400, "cancelled")


def test_cancelling_can_leave_the_items_sold(api: V3Api, event: Event) -> None:
    shirt = item(event, price="0", total=2)
    registration = registered(event, "ann@example.com", items={shirt: 2})
    body = {"registration_ids": [str(registration.registration_id)], "registration_status": "CANCELED"}
    api.put(_path(event), body, params={"return_items_to_inventory": "false"})
    assert Item.objects.get(pk=shirt.pk).quantity_sold == 2
    # Brought back, it does not take the items it never gave back a second time.
    api.put(_path(event), {**body, "registration_status": "REGISTERED"})
    assert Item.objects.get(pk=shirt.pk).quantity_sold == 2


def test_bringing_back_a_registration_needs_room_unless_the_count_is_increased(api: V3Api) -> None:
    event = active_event(api, capacity=2)
    ann = registered(event, "ann@example.com", {free_ticket(event): 2})
    cancel = {"registration_ids": [str(ann.registration_id)], "registration_status": "CANCELED"}
    api.put(_path(event), cancel)
    registered(event, "bob@example.com")
    back = {**cancel, "registration_status": "REGISTERED"}
    unknown = "00000000-0000-4000-8000-000000000001"
    response = api.put(_path(event), {**back, "registration_ids": [str(ann.registration_id), unknown]})
    assert response.status_code == 207
    assert response.json() == {"failed_registration_ids": [unknown, str(ann.registration_id)]}
    assert Registration.objects.get(pk=ann.pk).registration_status == "CANCELED"
    response = api.put(_path(event), back, params={"increase_count": "true"})
    assert response.status_code == 200
    track = Track.objects.get(pk=event.track.pk)
    assert (track.seats_taken, track.overall_ticket_capacity) == (3, 3)
    assert set(Registration.objects.get(pk=ann.pk).ticket_rows.values_list("status", flat=True)) == {"ACTIVE"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"registration_ids": ["nope"], "registration_status": "CANCELED"}, ["registration_ids[0]"]),
        ({"registration_ids": [], "registration_status": "CANCELED"}, ["at least one"]),
        (
            {"registration_ids": ["00000000-0000-4000-8000-000000000001"], "registration_status": "FAILED"},
            ["registration_status"],
        ),
        ({"registration_status": "CANCELED"}, ["registration_ids"]),
    ],
)
def test_a_refused_status_update_changes_nothing(api: V3Api, event: Event, body: dict, words: list) -> None:
    registered(event, "ann@example.com")
    error(api.put(_path(event), body), 400, *words)
    assert Registration.objects.get().registration_status == "REGISTERED"


def test_payment_status_skips_free_registrations_and_names_unknown_ones(api: V3Api, event: Event) -> None:
    vip = paid_ticket(event)
    free = registered(event, "free@example.com")
    door = registered(event, "door@example.com", {vip: 1}, payment_method="DOOR")
    online = registered(event, "card@example.com", {vip: 1}, payment_method="STRIPE")
    assert online.registration_status == "PENDING"
    ids = [str(r.registration_id) for r in (free, door, online)]
    response = api.put(_path(event, "/payment_status"), {"registration_ids": ids, "payment_status": "Paid"})
    assert response.status_code == 200 and response.content == b""
    rows = {r.email_address: r for r in Registration.objects.all()}
    assert rows["free@example.com"].payment_status == ""
    assert rows["door@example.com"].payment_status == "PAID" and rows["door@example.com"].payment_time is not None
    assert (rows["card@example.com"].payment_status, rows["card@example.com"].registration_status) == (
        "PAID",
        "REGISTERED",
    )
    unknown = "00000000-0000-4000-8000-000000000002"
    response = api.put(
        _path(event, "/payment_status"), {"registration_ids": [ids[0], ids[1], unknown], "payment_status": "REFUNDED"}
    )
    assert response.status_code == 207 and response.json() == {"failed_registration_ids": [unknown]}
    assert Registration.objects.get(pk=door.pk).payment_status == "REFUNDED"
    error(
        api.put(_path(event, "/payment_status"), {"registration_ids": ids, "payment_status": "SETTLED"}),
        400,
        "payment_status",
    )
    assert Registration.objects.get(pk=door.pk).total == Decimal("25.00")


def test_another_accounts_registrations_are_not_reachable(api: V3Api, other_api: V3Api, event: Event) -> None:
    registration = registered(event, "ann@example.com")
    ids = {"registration_ids": [str(registration.registration_id)]}
    error(other_api.get(_path(event)), 404)
    error(other_api.get(_path(event, f"/{registration.registration_id}")), 404)
    error(other_api.put(_path(event), {**ids, "registration_status": "CANCELED"}), 404)
    error(other_api.put(_path(event, "/payment_status"), {**ids, "payment_status": "PAID"}), 404)
    key = registration.ticket_rows.get().order_ticket_key
    error(other_api.post(f"/events/{event.event_id}/check_in/tickets", {"order_ticket_keys": [key]}), 404)
    assert Registration.objects.get().registration_status == "REGISTERED"


def test_bringing_back_items_that_sold_out_meanwhile_needs_increase_item_count(api: V3Api, event: Event) -> None:
    shirt = item(event, price="0", total=2)
    ann = registered(event, "ann@example.com", items={shirt: 2})
    cancel = {"registration_ids": [str(ann.registration_id)], "registration_status": "CANCELED"}
    api.put(_path(event), cancel)
    registered(event, "bob@example.com", items={shirt: 1})
    back = {**cancel, "registration_status": "REGISTERED"}
    assert api.put(_path(event), back).json() == {"failed_registration_ids": [str(ann.registration_id)]}
    assert api.put(_path(event), back, params={"increase_item_count": "true"}).status_code == 200
    shirt.refresh_from_db()
    assert (shirt.quantity_sold, shirt.quantity_total) == (3, 3)


def test_tickets_of_a_complete_event_can_still_be_checked_in(api: V3Api, event: Event) -> None:
    key = registered(event, "ann@example.com").ticket_rows.get().order_ticket_key
    api.patch(f"/events/{event.event_id}", {"status": "COMPLETE"})
    assert api.post(f"/events/{event.event_id}/check_in/tickets", {"order_ticket_keys": [key]}).status_code == 204
