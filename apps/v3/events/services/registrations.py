"""Registrations of a track: the listing, one in detail, check-in, and registration and payment status updates."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.events.models import (
    Event,
    EventStatus,
    Item,
    LineItem,
    PaymentStatus,
    Registration,
    RegistrationStatus,
    Ticket,
    TicketStatus,
    Track,
)
from apps.v3.events.services import values
from apps.v3.events.services.events import LIVE_REGISTRATIONS, find_event
from apps.v3.events.services.paging import CursorPage, sorted_page
from apps.v3.gate.errors import bad_request, not_found

DEFAULT_PAGE = 50
MAX_PAGE = 500  # docs/decisions/events.md#registration-page-sizes
MAX_IDS = 500  # ids one status update may name
MAX_TICKET_KEYS = 500
# The filter's one member that names two statuses (SPEC-NOTES; docs/decisions/events.md#registration-status-words).
STATUS_FILTERS: dict[str, tuple[str, ...]] = {s: (s,) for s in RegistrationStatus.values}
STATUS_FILTERS["IN_PROGRESS, FAILED"] = (RegistrationStatus.IN_PROGRESS, RegistrationStatus.FAILED)
REGISTRATION_SORTS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email_address": "email_address",
    "registration_status": "registration_status",
    "payment_status": "payment_status",
    "tickets": "tickets",
    "total": "total",
}
# What a registration status update may set; IN_PROGRESS and FAILED are the service's own.
SETTABLE_STATUSES = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.PENDING,
    RegistrationStatus.CANCELED,
    RegistrationStatus.EXPIRED,
)
CHECK_IN_STATUSES = (EventStatus.ACTIVE, EventStatus.COMPLETE)


def find_track(account: Account, event_id: uuid.UUID, track_id: str) -> Track:
    """The track ``track_id`` of the account's event; 404 when either is not there."""
    event = find_event(account, event_id)
    if event.track.track_id != track_id:
        raise not_found(f"No track {track_id} in event {event_id}.")
    return event.track


def list_registrations(track: Track, query: dict[str, Any]) -> CursorPage:
    """``GET .../registrations``: filtered, searched, sorted by one allowed field, paged both ways."""
    rows: QuerySet[Registration] = Registration.objects.filter(track=track)
    if query.get("registration_status"):
        rows = rows.filter(registration_status__in=STATUS_FILTERS[query["registration_status"]])
    if query.get("payment_status"):
        rows = rows.filter(payment_status=query["payment_status"])
    if query.get("search_text"):
        words = query["search_text"]
        rows = rows.filter(
            Q(first_name__icontains=words) | Q(last_name__icontains=words) | Q(email_address__icontains=words)
        )
    limit, page_size = query.get("limit"), query.get("page_size")
    if limit is not None and page_size is not None and limit != page_size:
        raise bad_request("limit, page_size: when both are given they must be the same value")
    size = values.limit_of(limit or page_size, DEFAULT_PAGE, MAX_PAGE, "limit" if limit else "page_size")
    column = REGISTRATION_SORTS[query["sort_by"]] if query.get("sort_by") else "registration_time"
    return sorted_page(rows, query, column, size, f"registrations:{track.pk}")


def check_in_counts(registrations: list[Registration]) -> dict[int, tuple[int, int]]:
    """For each registration: (tickets checked in, tickets eligible to check in), in one query."""
    counts = {r.pk: (0, 0) for r in registrations}
    active = Ticket.objects.filter(registration__in=counts, status=TicketStatus.ACTIVE)
    for row in active.values("registration_id").annotate(
        checked=Count("id", filter=Q(checked_in_time__isnull=False)), eligible=Count("id")
    ):
        counts[row["registration_id"]] = (row["checked"], row["eligible"])
    return counts


def find_registration(track: Track, registration_id: uuid.UUID) -> Registration:
    """The track's registration with this id; 404 otherwise."""
    registration = (
        Registration.objects.filter(track=track, registration_id=registration_id).select_related("contact").first()
    )
    if registration is None:
        raise not_found(f"No registration {registration_id} in track {track.track_id}.")
    return registration


def _ticket_keys(body: dict[str, Any]) -> list[str]:
    keys = body["order_ticket_keys"]
    if not keys:
        raise bad_request("order_ticket_keys: name at least one ticket")
    if len(keys) > MAX_TICKET_KEYS:
        raise bad_request(f"order_ticket_keys: at most {MAX_TICKET_KEYS} keys are allowed, got {len(keys)}")
    return list(dict.fromkeys(str(k) for k in keys))


def set_checked_in(account: Account, event_id: uuid.UUID, body: dict[str, Any], checked_in: bool) -> None:
    """Check tickets in (or undo it), all or none; only on an ACTIVE or COMPLETE event, never a cancelled ticket.

    A ticket already in the state asked for keeps its time, so a second scan at the door does not
    move the first one's.
    """
    event: Event = find_event(account, event_id)
    if event.status not in CHECK_IN_STATUSES:
        raise bad_request(
            f"event_id: the event is {event.status}; tickets are checked in only while it is ACTIVE or COMPLETE",
            key="api.event.status",
        )
    keys = _ticket_keys(body)
    with transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update().filter(registration__track=event.track, order_ticket_key__in=keys)
        )
        unknown = sorted(set(keys) - {t.order_ticket_key for t in tickets})
        if unknown:
            raise not_found(f"order_ticket_keys: no ticket {', '.join(unknown)} for this event")
        if checked_in:
            cancelled = sorted(t.order_ticket_key for t in tickets if t.status == TicketStatus.CANCELLED)
            if cancelled:
                raise bad_request(
                    f"order_ticket_keys: ticket {', '.join(cancelled)} is cancelled and cannot be checked in"
                )
            Ticket.objects.filter(pk__in=[t.pk for t in tickets], checked_in_time__isnull=True).update(
                checked_in_time=timezone.now()
            )
        else:
            Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(checked_in_time=None)


def _registration_ids(body: dict[str, Any]) -> list[uuid.UUID]:
    ids = body["registration_ids"]
    if not ids:
        raise bad_request("registration_ids: name at least one registration")
    if len(ids) > MAX_IDS:
        raise bad_request(f"registration_ids: at most {MAX_IDS} ids are allowed, got {len(ids)}")
    return values.uuids(ids, "registration_ids")


def _item_quantities(registrations: list[Registration]) -> dict[int, dict[int, int]]:
    """Per registration, how many of each item it bought."""
    bought: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for line in LineItem.objects.filter(registration__in=registrations, item__isnull=False):
        assert line.item_id is not None
        bought[line.registration_id][line.item_id] += line.quantity
    return bought


def update_registration_status(track: Track, body: dict[str, Any], flags: dict[str, Any]) -> list[str]:
    """``PUT .../registrations``: move each registration to the status; the ids that could not move.

    Cancelling (or expiring) a live registration cancels its tickets and frees its seats, and its
    items when ``return_items_to_inventory`` (default true). Bringing one back takes its seats and
    items again; where too few remain it fails, unless ``increase_count`` / ``increase_item_count``
    raise the capacity to fit (docs/decisions/events.md#registration-status-updates-and-seats).
    """
    target = body["registration_status"]
    if target not in SETTABLE_STATUSES:
        raise bad_request(f"registration_status: {target!r} is not one of {', '.join(SETTABLE_STATUSES)}")
    ids = _registration_ids(body)
    return_items = flags.get("return_items_to_inventory", True)
    with transaction.atomic():
        track = Track.objects.select_for_update().get(pk=track.pk)
        found = list(Registration.objects.select_for_update().filter(track=track, registration_id__in=ids))
        failed = [str(i) for i in ids if i not in {r.registration_id for r in found}]
        bought = _item_quantities(found)
        items = {i.pk: i for i in Item.objects.select_for_update().filter(track=track)}
        releasing = target not in LIVE_REGISTRATIONS
        cancel, revive, changed = [], [], []
        for registration in found:
            was_live = registration.registration_status in LIVE_REGISTRATIONS
            if releasing and was_live:
                track.seats_taken -= registration.tickets
                if return_items and registration.items_held:
                    for item_pk, quantity in bought[registration.pk].items():
                        items[item_pk].quantity_sold -= quantity
                    registration.items_held = False
                cancel.append(registration.pk)
            elif not releasing and not was_live:
                if not _retake(track, items, registration, bought[registration.pk], flags):
                    failed.append(str(registration.registration_id))
                    continue
                revive.append(registration.pk)
            registration.registration_status = target
            changed.append(registration)
        Registration.objects.bulk_update(changed, ["registration_status", "items_held"])
        Ticket.objects.filter(registration_id__in=cancel).update(status=TicketStatus.CANCELLED)
        Ticket.objects.filter(registration_id__in=revive).update(status=TicketStatus.ACTIVE)
        track.save(update_fields=["seats_taken", "overall_ticket_capacity", "updated_at"])
        Item.objects.bulk_update(items.values(), ["quantity_sold", "quantity_total"])
    return failed


def _retake(
    track: Track, items: dict[int, Item], registration: Registration, bought: dict[int, int], flags: dict[str, Any]
) -> bool:
    """Take a returning registration's seats (and its items, if they were given back); False if they are gone."""
    if track.seats_remaining < registration.tickets:
        if not flags.get("increase_count"):
            return False
        track.overall_ticket_capacity = track.seats_taken + registration.tickets
    needed = bought if not registration.items_held else {}
    short = [pk for pk, quantity in needed.items() if items[pk].quantity_remaining < quantity]
    if short and not flags.get("increase_item_count"):
        return False
    track.seats_taken += registration.tickets
    for pk, quantity in needed.items():
        item = items[pk]
        if item.quantity_remaining < quantity:
            item.quantity_total = item.quantity_sold + quantity
        item.quantity_sold += quantity
    registration.items_held = True
    return True


def update_payment_status(track: Track, body: dict[str, Any]) -> list[str]:
    """``PUT .../registrations/payment_status``: the ids that could not change; free registrations are left out.

    Only registrations with a payment method take a payment status (the spec: the others are
    excluded silently). An online payment marked PAID completes its PENDING registration.
    """
    raw = str(body["payment_status"])
    # The spec's own example is "Paid": statuses are matched in any case.
    status = raw.upper()
    if status not in PaymentStatus.values:
        raise bad_request(f"payment_status: {raw!r} is not one of {', '.join(PaymentStatus.values)}")
    ids = _registration_ids(body)
    now = timezone.now()
    with transaction.atomic():
        found = {
            r.registration_id: r
            for r in Registration.objects.select_for_update().filter(track=track, registration_id__in=ids)
        }
        failed = [str(i) for i in ids if i not in found]
        paid = [r for r in found.values() if r.payment_method]
        Registration.objects.filter(pk__in=[r.pk for r in paid]).update(
            payment_status=status, payment_time=now if status == PaymentStatus.PAID else F("payment_time")
        )
        if status == PaymentStatus.PAID:
            Registration.objects.filter(
                pk__in=[r.pk for r in paid], registration_status=RegistrationStatus.PENDING
            ).update(registration_status=RegistrationStatus.REGISTERED)
    return failed
