"""Events: the listing, a default event made from query parameters, partial updates and deep copies."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.events.models import (
    Event,
    EventStatus,
    Item,
    PromoCode,
    Registration,
    RegistrationStatus,
    TicketType,
    Track,
)
from apps.v3.events.services import values
from apps.v3.events.services.paging import CursorPage, sorted_page
from apps.v3.gate.errors import bad_request, not_found

MAX_EVENTS_PAGE = 100  # findEvents: "Default and maximum is 100"
# GET /events' sort_by words and the columns they sort.
EVENT_SORTS = {
    "name": "name",
    "start_time": "event_start",
    "end_time": "event_end",
    "created_time": "created_at",
    "updated_time": "updated_at",
}
# What a PATCH may move an event's status to, from the two statuses a PATCH is allowed on
# (docs/decisions/events.md#publishing-and-ending-an-event-by-patch).
NEXT_STATUSES = {
    EventStatus.DRAFT: {EventStatus.DRAFT, EventStatus.ACTIVE, EventStatus.CANCELLED, EventStatus.DELETED},
    EventStatus.ACTIVE: {EventStatus.ACTIVE, EventStatus.COMPLETE, EventStatus.CANCELLED, EventStatus.DELETED},
}
# Registrations holding seats (and counted in the listing's registration_count).
LIVE_REGISTRATIONS = (RegistrationStatus.REGISTERED, RegistrationStatus.PENDING, RegistrationStatus.IN_PROGRESS)
MAX_CAPACITY = 1_000_000
DEFAULT_LEAD = timedelta(days=7)  # a default event starts a week from now, on the hour


def account_events(account: Account) -> QuerySet[Event]:
    """The account's events with their track."""
    return Event.objects.filter(account=account).select_related("track")


def find_event(account: Account, event_id: uuid.UUID) -> Event:
    """The account's event with this id; 404 otherwise."""
    event = account_events(account).filter(event_id=event_id).first()
    if event is None:
        raise not_found(f"No event {event_id} in this account.")
    return event


def list_events(account: Account, query: dict[str, Any]) -> CursorPage:
    """``GET /events``: filtered by status (DELETED only when asked for), searched, sorted, paged both ways."""
    events = account_events(account)
    status = query.get("event_status")
    if status is not None:
        if status not in EventStatus.values:
            raise bad_request(f"event_status: {status!r} is not one of {', '.join(EventStatus.values)}")
        events = events.filter(status=status)
    else:
        events = events.exclude(status=EventStatus.DELETED)
    if query.get("search_text"):
        words = query["search_text"]
        events = events.filter(Q(name__icontains=words) | Q(title__icontains=words) | Q(description__icontains=words))
    sort_by = query.get("sort_by")
    if sort_by is not None and sort_by not in EVENT_SORTS:
        raise bad_request(f"sort_by: {sort_by!r} is not one of {', '.join(EVENT_SORTS)}")
    order = query.get("sort_order")
    if order is not None and order not in ("ASC", "DESC"):
        raise bad_request(f"sort_order: {order!r} is not one of ASC, DESC")
    limit = values.limit_of(query.get("limit"), MAX_EVENTS_PAGE, MAX_EVENTS_PAGE)
    return sorted_page(events, query, EVENT_SORTS[sort_by or "created_time"], limit, "events")


def registration_metrics(events: list[Event]) -> dict[int, dict[str, int]]:
    """``event_registration_summary_metrics`` for each event, in two aggregate queries."""
    tracks = {event.track.pk: event.pk for event in events}
    metrics = {event.pk: {"registration_count": 0, "ticket_sold": 0, "item_sold": 0} for event in events}
    live = Registration.objects.filter(track_id__in=tracks, registration_status__in=LIVE_REGISTRATIONS)
    for row in live.values("track_id").annotate(n=Count("id"), seats=Sum("tickets")):
        metrics[tracks[row["track_id"]]].update(registration_count=row["n"], ticket_sold=row["seats"] or 0)
    for row in Item.objects.filter(track_id__in=tracks).values("track_id").annotate(sold=Sum("quantity_sold")):
        metrics[tracks[row["track_id"]]]["item_sold"] = row["sold"] or 0
    return metrics


def _name_taken(account: Account, name: str, event: Event | None = None) -> bool:
    peers = Event.objects.filter(account=account, name=name).exclude(status=EventStatus.DELETED)
    return peers.exclude(pk=event.pk).exists() if event is not None else peers.exists()


def _duplicate_name(name: str, where: str = "name") -> Exception:
    # 409 is not among these operations' codes; a name that is taken is the request's fault (400).
    return bad_request(f"{where}: the account already has an event named {name!r}", key="api.conflict")


def _save_new(event: Event, where: str) -> None:
    """Insert ``event``; the unique name constraint decides a race two requests ran together."""
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        raise _duplicate_name(event.name, where) from None


def _default_start(now: datetime) -> datetime:
    return (now + DEFAULT_LEAD).replace(minute=0, second=0, microsecond=0)


def create_default_event(account: Account, query: dict[str, Any]) -> Event:
    """``POST /events/default``: a DRAFT event with a default track selling one free ticket type."""
    now = timezone.now().astimezone(UTC)
    start = values.moment(query["start_time"], "start_time") if query.get("start_time") else _default_start(now)
    end = values.moment(query["end_time"], "end_time") if query.get("end_time") else start + timedelta(hours=1)
    if end <= start:
        raise bad_request("end_time: must be after start_time")
    if query.get("name"):
        name = values.text(query["name"], "name", 100, blank=False)
        if _name_taken(account, name):
            raise _duplicate_name(name)
    else:
        # A generated name is made unique by its time stamp, and a counter within the same second.
        base = f"Untitled event {now:%Y-%m-%d %H:%M:%S}"
        name, n = base, 1
        while _name_taken(account, name):
            n += 1
            name = f"{base} ({n})"
    placeholder = values.text(query.get("placeholder_campaign_id", ""), "placeholder_campaign_id", 64)
    with transaction.atomic():
        event = Event(
            account=account,
            name=name,
            title=name,
            event_start=start,
            event_end=end,
            placeholder_campaign_id=placeholder,
        )
        _save_new(event, "name")
        track = Track.objects.create(event=event)
        TicketType.objects.create(track=track, name="General Admission")
    return find_event(account, event.event_id)


def _track_changes(track: Track, body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Apply the ``default_track`` fields a PATCH gives; return its promo codes when it names them."""
    if "overall_ticket_capacity" in body:
        capacity = body["overall_ticket_capacity"]
        if not 0 <= capacity <= MAX_CAPACITY:
            raise bad_request(f"default_track.overall_ticket_capacity: must be from 0 to {MAX_CAPACITY}")
        if capacity < track.seats_taken:
            raise bad_request(
                f"default_track.overall_ticket_capacity: {track.seats_taken} seats are already taken; "
                "the capacity cannot be lower"
            )
        track.overall_ticket_capacity = capacity
    if "registration_end_time" in body:
        raw = body["registration_end_time"]
        track.registration_end_time = (
            values.moment(raw, "default_track.registration_end_time") if raw not in (None, "") else None
        )
    for flag in ("reg_manually_closed_flag", "restrict_to_single_ticket_flag"):
        if flag in body:
            setattr(track, flag, bool(body[flag]))
    for field, size in (
        ("tickets_header", 100),
        ("items_header", 100),
        ("registration_type", 16),
        ("platform_fee_scope_type", 16),
    ):
        if field in body:
            setattr(track, field, values.text(body[field], f"default_track.{field}", size))
    return body.get("promo_codes")


def _promo_rows(track: Track, codes: list[dict[str, Any]]) -> list[PromoCode]:
    """The promo codes a PATCH names, checked; existing ones (by name) keep their id and uses."""
    existing = {code.name: code for code in track.promo_codes.all()}
    rows: list[PromoCode] = []
    seen: set[str] = set()
    for i, data in enumerate(codes):
        where = f"default_track.promo_codes[{i}]"
        name = values.text(data["name"], f"{where}.name", 50, blank=False)
        if name in seen:
            raise bad_request(f"{where}.name: {name!r} is named twice")
        seen.add(name)
        code = existing.get(name) or PromoCode(track=track, name=name)
        kind = data.get("discount_code_type", code.discount_code_type)
        if kind not in ("PERCENT", "AMOUNT"):
            raise bad_request(f"{where}.discount_code_type: {kind!r} is not one of PERCENT, AMOUNT")
        code.discount_code_type = kind
        if "discount_percent" in data:
            if not 1 <= data["discount_percent"] <= 100:
                raise bad_request(f"{where}.discount_percent: must be from 1 to 100")
            code.discount_percent = data["discount_percent"]
        if "discount_amount" in data:
            if not 0 < data["discount_amount"] < 10**8:
                raise bad_request(f"{where}.discount_amount: must be more than 0")
            code.discount_amount = round(data["discount_amount"], 2)
        if kind == "PERCENT" and code.discount_percent is None:
            raise bad_request(f"{where}.discount_percent: is required for a PERCENT code")
        if kind == "AMOUNT" and code.discount_amount is None:
            raise bad_request(f"{where}.discount_amount: is required for an AMOUNT code")
        if "quantity_total" in data:
            total = data["quantity_total"]
            if total is not None and not code.quantity_used <= total <= MAX_CAPACITY:
                raise bad_request(f"{where}.quantity_total: must be from {code.quantity_used} (uses so far) up")
            code.quantity_total = total
        for field in ("description",):
            if field in data:
                setattr(code, field, values.text(data[field], f"{where}.{field}", 255))
        if "paused_flag" in data:
            code.paused_flag = bool(data["paused_flag"])
        for field in ("start_time", "end_time"):
            if field in data:
                raw = data[field]
                setattr(code, field, values.moment(raw, f"{where}.{field}") if raw not in (None, "") else None)
        rows.append(code)
    return rows


_EVENT_TEXT = {"title": 100, "description": 600, "event_type": 32, "event_code": 32}
_EVENT_FLAGS = (
    "display_contact_flag",
    "display_end_time_flag",
    "display_on_calendar_flag",
    "display_time_zone_flag",
    "notify_owner_on_reg",
)


def _move_status(event: Event, raw: Any, now: datetime) -> None:
    # The spec spells the word both ways (SPEC-NOTES); one is stored.
    target = "CANCELLED" if raw == "CANCELED" else raw
    allowed = NEXT_STATUSES[EventStatus(event.status)]
    if target not in allowed:
        raise bad_request(
            f"status: a {event.status} event can move to {', '.join(sorted(allowed))}, not {raw!r}",
            key="api.event.status",
        )
    if target == event.status:
        return
    stamp = {EventStatus.ACTIVE: "active_time", EventStatus.CANCELLED: "cancelled_time"}
    stamp[EventStatus.DELETED] = "deleted_time"
    if target in stamp:
        setattr(event, stamp[EventStatus(target)], now)
    event.status = target


def patch_event(account: Account, event_id: uuid.UUID, body: dict[str, Any]) -> None:
    """``PATCH /events/{event_id}``: change the fields the body gives, on a DRAFT or ACTIVE event only."""
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(account=account, event_id=event_id).first()
        if event is None:
            raise not_found(f"No event {event_id} in this account.")
        if event.status not in NEXT_STATUSES:
            raise bad_request(
                f"status: the event is {event.status}; only DRAFT and ACTIVE events can be updated",
                key="api.event.status",
            )
        track = Track.objects.select_for_update().get(event=event)
        if "name" in body:
            name = values.text(body["name"], "name", 100, blank=False)
            if _name_taken(account, name, event):
                raise _duplicate_name(name)
            event.name = name
        for field, size in _EVENT_TEXT.items():
            if field in body:
                setattr(event, field, values.text(body[field], field, size, blank=field != "title"))
        if "location_type" in body and body["location_type"] not in values.LOCATION_TYPES:
            raise bad_request(
                f"location_type: {body['location_type']!r} is not one of {', '.join(values.LOCATION_TYPES)}"
            )
        event.location_type = body.get("location_type", event.location_type)
        if "time_zone" in body:
            event.time_zone = values.time_zone(body["time_zone"])
        if "currency_type" in body:
            if body["currency_type"] not in values.CURRENCIES:
                raise bad_request(f"currency_type: {body['currency_type']!r} is not an accepted currency")
            event.currency_type = body["currency_type"]
        if "event_start" in body:
            event.event_start = values.moment(body["event_start"], "event_start")
        if "event_end" in body:
            event.event_end = values.moment(body["event_end"], "event_end")
        if event.event_end <= event.event_start:
            raise bad_request("event_end: must be after event_start")
        for field in ("address", "contact", "online_meeting"):
            if field in body:
                # Read-only times inside them are the service's to set, not the caller's.
                data = body[field]
                setattr(
                    event,
                    field,
                    {k: v for k, v in data.items() if k not in ("create_time", "last_update_time")}
                    if isinstance(data, dict)
                    else None,
                )
        for flag in _EVENT_FLAGS:
            if flag in body:
                setattr(event, flag, bool(body[flag]))
        if "status" in body:
            _move_status(event, body["status"], now)
        promo_codes = _track_changes(track, body["default_track"]) if "default_track" in body else None
        promo_rows = _promo_rows(track, promo_codes) if promo_codes is not None else None
        try:
            with transaction.atomic():
                event.save()
                track.save()
        except IntegrityError:
            raise _duplicate_name(event.name) from None
        if promo_rows is not None:
            kept = [row.pk for row in promo_rows if row.pk is not None]
            track.promo_codes.exclude(pk__in=kept).delete()
            for row in promo_rows:
                row.save()


# What a copy of an event takes over from each of its track's rows; sales and uses start again at 0.
TICKET_TYPE_FIELDS = ("ticket_id", "name", "price", "display_order", "hidden_flag")
ITEM_FIELDS = (
    *("item_id", "name", "description", "price", "quantity_total", "limit_per_order"),
    *("display_order", "show_remaining_flag", "paused_flag", "hidden_flag"),
)
PROMO_CODE_FIELDS = (
    *("promo_id", "name", "description", "discount_code_type", "discount_code_scope", "discount_percent"),
    *("discount_amount", "quantity_total", "paused_flag", "start_time", "end_time"),
)
Row = TypeVar("Row", TicketType, Item, PromoCode)


def _copies(rows: Iterable[Row], track: Track, fields: tuple[str, ...]) -> list[Row]:
    """Unsaved copies of ``rows`` on ``track``, with ``fields`` as they are."""
    return [type(row)(track=track, **{f: getattr(row, f) for f in fields}) for row in rows]


def copy_event(account: Account, event_id: uuid.UUID, body: dict[str, Any]) -> tuple[Event, list[str]]:
    """``POST /events/{event_id}/copy``: a DRAFT deep copy under a new name, and the activities that did not copy.

    The event's campaign activities are its registration form and its confirmation email; a
    requested activity that is neither is reported in ``failed_campaign_activities``
    (docs/decisions/events.md#copying-an-event-and-its-activities).
    """
    source = find_event(account, event_id)
    if source.status == EventStatus.DELETED:
        raise bad_request("event_id: a DELETED event cannot be copied", key="api.event.status")
    name = values.text(body["target_event_name"], "target_event_name", 100, blank=False)
    if _name_taken(account, name):
        raise _duplicate_name(name, "target_event_name")
    track = source.track
    own = {str(track.campaign_activity_id)}
    if track.conf_email_campaign_activity_id is not None:
        own.add(str(track.conf_email_campaign_activity_id))
    requested = body.get("source_campaign_activities")
    if requested is None:
        wanted, failed = set(own), []
    else:
        ids = [str(u) for u in values.uuids(requested, "source_campaign_activities")]
        wanted = {i for i in ids if i in own}
        failed = [i for i in ids if i not in own]
    with transaction.atomic():
        copy = Event.objects.get(pk=source.pk)
        copy.pk = None
        copy.event_id = uuid.uuid4()
        copy.name = name
        copy.status = EventStatus.DRAFT
        copy.registration_key = Event._meta.get_field("registration_key").get_default()
        copy.active_time = copy.cancelled_time = copy.deleted_time = None
        copy.created_at = copy.updated_at = None  # type: ignore[assignment]
        _save_new(copy, "target_event_name")
        new_track = Track.objects.create(
            event=copy,
            overall_ticket_capacity=track.overall_ticket_capacity,
            registration_end_time=track.registration_end_time,
            reg_manually_closed_flag=track.reg_manually_closed_flag,
            restrict_to_single_ticket_flag=track.restrict_to_single_ticket_flag,
            registration_type=track.registration_type,
            platform_fee_scope_type=track.platform_fee_scope_type,
            tickets_header=track.tickets_header,
            items_header=track.items_header,
            # The form always exists (TrackDto requires it); the confirmation email only when copied.
            conf_email_campaign_activity_id=(
                uuid.uuid4() if str(track.conf_email_campaign_activity_id) in wanted else None
            ),
        )
        TicketType.objects.bulk_create(_copies(track.ticket_types.all(), new_track, TICKET_TYPE_FIELDS))
        Item.objects.bulk_create(_copies(track.items.all(), new_track, ITEM_FIELDS))
        PromoCode.objects.bulk_create(_copies(track.promo_codes.all(), new_track, PROMO_CODE_FIELDS))
    return find_event(account, copy.event_id), failed
