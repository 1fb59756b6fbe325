"""Events: the default event, the listing (filters, sorts, cursors both ways), get with include, PATCH and copy."""

from __future__ import annotations

import pytest

from apps.v3.events.models import Event, EventStatus, TicketType
from tests.v3.conftest import V3Api
from tests.v3.events.support import active_event, item, paid_ticket, registered
from tests.v3.support import error


def _event(api: V3Api, name: str, **params: str) -> dict:
    response = api.post("/events/default", params={"name": name, **params})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_default_event_is_a_draft_with_a_track_selling_one_free_ticket(api: V3Api) -> None:
    body = _event(api, "Gala", start_time="2099-01-15T10:00:00Z", placeholder_campaign_id="campaign-123")
    assert body["status"] == "DRAFT" and body["name"] == body["title"] == "Gala"
    assert body["event_start"] == "2099-01-15T10:00:00.000Z" and body["event_end"] == "2099-01-15T11:00:00.000Z"
    assert body["campaign_id"] == body["event_id"]
    track = body["default_track"]
    assert len(track["track_id"]) == 6 and track["overall_ticket_capacity"] == 100
    assert body["registration_url"].endswith(f"/e/{Event.objects.get(event_id=body['event_id']).registration_key}/")
    assert list(TicketType.objects.filter(track__event__event_id=body["event_id"]).values_list("name", "price")) == [
        ("General Admission", 0)
    ]


def test_a_default_event_without_parameters_gets_a_unique_generated_name(api: V3Api) -> None:
    first = api.post("/events/default").json()
    second = api.post("/events/default").json()
    assert first["name"].startswith("Untitled event") and first["name"] != second["name"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"name": "Taken"}, ["name", "already has an event named"]),
        ({"name": "New", "start_time": "tomorrow"}, ["start_time", "ISO-8601"]),
        ({"name": "New", "start_time": "2099-01-02T00:00:00Z", "end_time": "2099-01-01T00:00:00Z"}, ["end_time"]),
        ({"name": "x" * 101}, ["name", "100"]),
    ],
)
def test_a_default_event_refuses_bad_parameters_and_saves_nothing(api: V3Api, params: dict, words: list) -> None:
    _event(api, "Taken")
    error(api.post("/events/default", params=params), 400, *words)
    assert Event.objects.filter(account=api.account).count() == 1


def test_the_listing_sorts_filters_searches_and_pages_both_ways(api: V3Api) -> None:
    for name in ("Delta", "alpha", "Charlie", "Bravo", "Echo"):
        _event(api, name)
    deleted = _event(api, "Gone")
    assert api.patch(f"/events/{deleted['event_id']}", {"status": "DELETED"}).status_code == 204
    first = api.get("/events", params={"sort_by": "name", "limit": "2"}).json()
    assert [r["name"] for r in first["records"]] == ["Bravo", "Charlie"]  # ASC by default, case-sensitive
    assert first["total_records"] == 5 and "prev_cursor" not in first
    second = api.get("/events", params={"sort_by": "name", "limit": "2", "next": first["next_cursor"]}).json()
    assert [r["name"] for r in second["records"]] == ["Delta", "Echo"]
    assert second["_links"]["prev"]["href"].startswith("/v3/events?")
    back = api.get("/events", params={"sort_by": "name", "limit": "2", "prev": second["prev_cursor"]}).json()
    assert [r["name"] for r in back["records"]] == ["Bravo", "Charlie"] and "prev_cursor" not in back
    desc = api.get("/events", params={"sort_by": "name", "sort_order": "DESC"}).json()
    assert [r["name"] for r in desc["records"]] == ["alpha", "Echo", "Delta", "Charlie", "Bravo"]
    newest = api.get("/events").json()["records"]
    assert newest[0]["name"] == "Echo"  # unsorted: newest first
    assert [r["name"] for r in api.get("/events", params={"event_status": "DELETED"}).json()["records"]] == ["Gone"]
    assert [r["name"] for r in api.get("/events", params={"search_text": "ARL"}).json()["records"]] == ["Charlie"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"next": "x", "prev": "y"}, ["next, prev"]),
        ({"limit": "101"}, ["limit", "100"]),
        ({"limit": "0"}, ["limit"]),
        ({"sort_by": "title"}, ["sort_by"]),
        ({"sort_order": "UP"}, ["sort_order"]),
        ({"event_status": "CANCELED"}, ["event_status"]),
        ({"next": "forged"}, ["next", "not a cursor"]),
    ],
)
def test_the_listing_refuses_bad_parameters(api: V3Api, params: dict, words: list) -> None:
    error(api.get("/events", params=params), 400, *words)


def test_a_cursor_of_another_sort_is_refused(api: V3Api) -> None:
    for name in ("A", "B", "C"):
        _event(api, name)
    cursor = api.get("/events", params={"sort_by": "name", "limit": "1"}).json()["next_cursor"]
    error(api.get("/events", params={"sort_by": "start_time", "limit": "1", "next": cursor}), 400, "another")


def test_the_listing_carries_registration_ticket_and_item_counts(api: V3Api) -> None:
    event = active_event(api)
    shirt = item(event)
    registered(event, "a@example.com", {event.track.ticket_types.get(): 2})
    registered(event, "b@example.com", items={shirt: 3}, payment_method="DOOR")
    metrics = api.get("/events").json()["records"][0]["event_registration_summary_metrics"]
    assert metrics == {"registration_count": 2, "ticket_sold": 3, "item_sold": 3}


def test_get_includes_settings_only_when_asked(api: V3Api) -> None:
    event = active_event(api)
    paid_ticket(event)
    plain = api.get(f"/events/{event.event_id}").json()
    assert "event_settings" not in plain and plain["event_metadata"]["paid_event"] is True
    full = api.get(f"/events/{event.event_id}", params={"include": "true"}).json()
    assert full["event_settings"]["event_requires_payments"] is True
    assert full["event_settings"]["online_payment_configured"] is False
    error(api.get(f"/events/{event.event_id}", params={"include": "maybe"}), 400, "include")


def test_patch_changes_only_what_it_names(api: V3Api) -> None:
    event = active_event(api, description="Old")
    body = {
        "title": "New title",
        "time_zone": "US/Eastern",
        "address": {"address_type": "EVENT", "line1": "100 Seaport Blvd", "city": "Boston"},
        "default_track": {
            "registration_end_time": "2099-05-01T00:00:00Z",
            "promo_codes": [{"name": "WIN95", "discount_percent": 20}],
        },
    }
    assert api.patch(f"/events/{event.event_id}", body).status_code == 204
    got = api.get(f"/events/{event.event_id}").json()
    assert got["title"] == "New title" and got["description"] == "Old" and got["name"] == "Reunion"
    assert got["time_zone_abbreviation"] == "EDT" and got["address"]["city"] == "Boston"
    assert got["default_track"]["registration_end_time"] == "2099-05-01T00:00:00.000Z"
    assert got["default_track"]["promo_codes"][0]["name"] == "WIN95"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"title": "Changed", "time_zone": "Mars/Olympus"}, ["time_zone"]),
        ({"title": "Changed", "name": "Other"}, ["name", "already"]),
        ({"title": "Changed", "event_end": "2000-01-01T00:00:00Z"}, ["event_end", "after"]),
        ({"title": "Changed", "currency_type": "XYZ"}, ["currency_type"]),
        ({"title": "Changed", "status": "DRAFT"}, ["status", "ACTIVE event can move"]),
        ({"title": "Changed", "default_track": {"overall_ticket_capacity": 1}}, ["overall_ticket_capacity", "2 seats"]),
        (
            {"title": "Changed", "default_track": {"promo_codes": [{"name": "X", "discount_code_type": "PERCENT"}]}},
            ["discount_percent"],
        ),
        ({"title": "Changed", "address": {"city": "Boston"}}, ["address", "address_type"]),
        ({"title": "Changed", "description": "d" * 601}, ["description"]),
        ([], ["body"]),
    ],
)
def test_a_refused_patch_changes_nothing(api: V3Api, body: object, words: list) -> None:
    active_event(api, name="Other")
    event = active_event(api)
    registered(event, "a@example.com", {event.track.ticket_types.get(): 2})
    error(api.patch(f"/events/{event.event_id}", body), 400, *words)
    assert Event.objects.get(pk=event.pk).title == "Reunion"


def test_only_draft_and_active_events_can_be_patched(api: V3Api) -> None:
    event = active_event(api)
    assert api.patch(f"/events/{event.event_id}", {"status": "COMPLETE"}).status_code == 204
    error(api.patch(f"/events/{event.event_id}", {"title": "Late"}), 400, "COMPLETE", "DRAFT and ACTIVE")
    cancelled = active_event(api, name="Off")
    assert api.patch(f"/events/{cancelled.event_id}", {"status": "CANCELED"}).status_code == 204
    assert Event.objects.get(pk=cancelled.pk).status == EventStatus.CANCELLED


def test_copy_is_a_draft_with_the_settings_and_no_registrations(api: V3Api) -> None:
    event = active_event(api, capacity=7)
    paid_ticket(event)
    item(event)
    registered(event, "a@example.com")
    response = api.post(f"/events/{event.event_id}/copy", {"target_event_name": "Reunion again"})
    assert response.status_code == 200, response.content
    copy = response.json()
    assert copy["status"] == "DRAFT" and copy["name"] == "Reunion again" and copy["event_id"] != str(event.event_id)
    assert copy["default_track"]["overall_ticket_capacity"] == 7
    assert copy["default_track"]["track_id"] != event.track.track_id
    assert copy["default_track"]["items"][0]["quantity_sold"] == 0
    assert "failed_campaign_activities" not in copy
    copied = Event.objects.get(event_id=copy["event_id"])
    assert copied.track.ticket_types.count() == 2 and copied.track.registrations.count() == 0


def test_copy_names_the_campaign_activities_it_could_not_copy(api: V3Api) -> None:
    event = active_event(api)
    unknown = "123e4567-e89b-12d3-a456-426614174000"
    body = {"target_event_name": "Part", "source_campaign_activities": [str(event.track.campaign_activity_id), unknown]}
    response = api.post(f"/events/{event.event_id}/copy", body)
    assert response.status_code == 207, response.content
    assert response.json()["failed_campaign_activities"] == [unknown]
    assert "conf_email_campaign_activity_id" not in response.json()["default_track"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"target_event_name": "Reunion"}, ["target_event_name", "already"]),
        ({"target_event_name": " "}, ["target_event_name", "blank"]),
        ({"target_event_name": "X", "source_campaign_activities": ["nope"]}, ["source_campaign_activities[0]"]),
        ({}, ["target_event_name"]),
    ],
)
def test_a_refused_copy_makes_nothing(api: V3Api, body: dict, words: list) -> None:
    event = active_event(api)
    error(api.post(f"/events/{event.event_id}/copy", body), 400, *words)
    assert Event.objects.count() == 1


def test_a_deleted_event_cannot_be_copied(api: V3Api) -> None:
    event = active_event(api)
    api.patch(f"/events/{event.event_id}", {"status": "DELETED"})
    error(api.post(f"/events/{event.event_id}/copy", {"target_event_name": "Back"}), 400, "DELETED")


def test_the_listing_holds_only_the_accounts_own_events(api: V3Api, other_api: V3Api) -> None:
    _event(other_api, "Theirs")
    assert api.get("/events").json()["records"] == []
    assert api.get("/events").json()["total_records"] == 0
    assert [r["name"] for r in other_api.get("/events").json()["records"]] == ["Theirs"]
