"""Response shapes of events: ``EventDto`` (with its default track), and the listing's ``EventListingDto``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apps.v3.events.models import Event, Item, PromoCode, TicketType, Track
from apps.v3.events.tickets.links import registration_url
from apps.v3.events.tickets.times import iso, zone_abbreviation


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _status_labels(remaining: int, paused: bool) -> list[dict[str, str]]:
    if paused:
        return [{"label": "Paused", "label_key": "status_label.paused"}]
    if remaining == 0:
        return [{"label": "Sold out", "label_key": "status_label.sold_out"}]
    return [{"label": "Available", "label_key": "status_label.available"}]


def item_data(item: Item) -> dict[str, Any]:
    """``ItemDto``."""
    return _drop_none(
        {
            "item_id": item.item_id,
            "name": item.name,
            "description": item.description,
            "price": float(item.price),
            "quantity_total": item.quantity_total,
            "quantity_remaining": item.quantity_remaining,
            "quantity_sold": item.quantity_sold,
            "limit_per_order": item.limit_per_order,
            "display_order": item.display_order,
            "show_remaining_flag": item.show_remaining_flag,
            "paused_flag": item.paused_flag,
            "hidden_flag": item.hidden_flag,
            "deletable_flag": item.quantity_sold == 0,
            "time_limit_flag": False,
            "status_labels": _status_labels(item.quantity_remaining, item.paused_flag),
            "create_time": iso(item.created_at),
            "last_update_time": iso(item.updated_at),
        }
    )


def _promo_status(code: PromoCode, now: datetime) -> str:
    if code.paused_flag:
        return "PAUSED"
    if code.end_time is not None and now >= code.end_time:
        return "EXPIRED"
    if code.quantity_total is not None and code.quantity_used >= code.quantity_total:
        return "USED_UP"
    if code.start_time is not None and now < code.start_time:
        return "SCHEDULED"
    return "ACTIVE"


def promo_code_data(code: PromoCode, ticket_types: list[TicketType], now: datetime) -> dict[str, Any]:
    """``PromoCodeDto``: it applies to the whole order, so every ticket type is associated."""
    available = code.quantity_total - code.quantity_used if code.quantity_total is not None else None
    return _drop_none(
        {
            "id": code.promo_id,
            "name": code.name,
            "description": code.description,
            "discount_code_type": code.discount_code_type,
            "discount_code_scope": code.discount_code_scope,
            "discount_percent": code.discount_percent,
            "discount_amount": float(code.discount_amount) if code.discount_amount is not None else None,
            "quantity_total": code.quantity_total,
            "quantity_used": code.quantity_used,
            "quantity_available": available,
            "paused_flag": code.paused_flag,
            "time_limit_flag": code.start_time is not None or code.end_time is not None,
            "start_time": iso(code.start_time),
            "end_time": iso(code.end_time),
            "status": _promo_status(code, now),
            "tickets": [
                {"name": t.name, "ticket_id": t.ticket_id, "ticket_type": t.ticket_type, "associated": True}
                for t in ticket_types
            ],
        }
    )


def track_data(track: Track, now: datetime) -> dict[str, Any]:
    """``TrackDto``: the default track with its items and promo codes."""
    ticket_types = list(track.ticket_types.all())
    return _drop_none(
        {
            "track_id": track.track_id,
            "campaign_activity_id": str(track.campaign_activity_id),
            "conf_email_campaign_activity_id": (
                str(track.conf_email_campaign_activity_id) if track.conf_email_campaign_activity_id else None
            ),
            "overall_ticket_capacity": track.overall_ticket_capacity,
            "registration_end_time": iso(track.registration_end_time),
            "reg_manually_closed_flag": track.reg_manually_closed_flag,
            "restrict_to_single_ticket_flag": track.restrict_to_single_ticket_flag,
            "registration_type": track.registration_type,
            "platform_fee_scope_type": track.platform_fee_scope_type,
            "tickets_header": track.tickets_header,
            "items_header": track.items_header,
            "media_assets": [],
            "items": [item_data(i) for i in track.items.all()],
            "promo_codes": [promo_code_data(p, ticket_types, now) for p in track.promo_codes.all()],
            "create_time": iso(track.created_at),
            "last_update_time": iso(track.updated_at),
        }
    )


def _stamped(data: dict[str, Any] | None, event: Event) -> dict[str, Any] | None:
    """A nested DTO stored as given, with the service's own times on it."""
    if not data:
        return None
    return {**data, "create_time": iso(event.created_at), "last_update_time": iso(event.updated_at)}


def event_data(event: Event, include: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """``EventDto``; ``include`` adds ``event_settings`` (getEvent_2's ``include=true``)."""
    now = now or datetime.now(UTC)
    track = event.track
    paid = track.ticket_types.filter(price__gt=0).exists()
    has_items = track.items.exists()
    has_promos = track.promo_codes.exists()
    data: dict[str, Any] = {
        "event_id": str(event.event_id),
        "campaign_id": str(event.event_id),
        "name": event.name,
        "title": event.title,
        "description": event.description,
        "event_start": iso(event.event_start),
        "event_end": iso(event.event_end),
        "event_type": event.event_type,
        "location_type": event.location_type,
        "status": event.status,
        "time_zone": event.time_zone,
        "time_zone_abbreviation": zone_abbreviation(event.time_zone, event.event_start),
        "currency_type": event.currency_type,
        "event_code": event.event_code or None,
        "address": _stamped(event.address, event),
        "contact": _stamped(event.contact, event),
        "online_meeting": _stamped(event.online_meeting, event),
        "display_contact_flag": event.display_contact_flag,
        "display_end_time_flag": event.display_end_time_flag,
        "display_on_calendar_flag": event.display_on_calendar_flag,
        "display_time_zone_flag": event.display_time_zone_flag,
        "notify_owner_on_reg": event.notify_owner_on_reg,
        "registration_url": registration_url(event),
        "event_promotions": [],
        "event_metadata": {"paid_event": paid, "items_enabled": has_items, "promo_codes_enabled": has_promos},
        "create_time": iso(event.created_at),
        "last_update_time": iso(event.updated_at),
        "active_time": iso(event.active_time),
        "cancelled_time": iso(event.cancelled_time),
        "deleted_time": iso(event.deleted_time),
        "default_track": track_data(track, now),
    }
    if include:
        data["event_settings"] = {
            "event_requires_payments": paid,
            "payment_configured": paid,
            # No payment provider is connected: online payments are only recorded
            # (docs/decisions/events.md#payment-without-a-provider).
            "online_payment_configured": False,
            "item_configured": has_items,
            "promo_code_configured": has_promos,
            "ticket_configured": track.ticket_types.exists(),
        }
    return _drop_none(data)


def copy_data(event: Event, failed: list[str]) -> dict[str, Any]:
    """The copy's ``EventDto``, naming the campaign activities that did not copy."""
    data = event_data(event)
    if failed:
        data["failed_campaign_activities"] = failed
    return data


def listing_data(page: Any, metrics: dict[int, dict[str, int]], links: dict[str, Any]) -> dict[str, Any]:
    """``PaginationDtoEventListingDto``."""
    records = [
        _drop_none(
            {
                "event_id": str(e.event_id),
                "name": e.name,
                "title": e.title,
                "description": e.description,
                "start_time": iso(e.event_start),
                "end_time": iso(e.event_end),
                "status": e.status,
                "registration_url": registration_url(e),
                "event_type": e.event_type,
                "location_type": e.location_type,
                "time_zone_type": zone_abbreviation(e.time_zone, e.event_start),
                "address": _stamped(e.address, e),
                "event_registration_summary_metrics": metrics[e.pk],
                "create_time": iso(e.created_at),
            }
        )
        for e in page.rows
    ]
    return paged(records, page, links)


def paged(records: list[dict[str, Any]], page: Any, links: dict[str, Any]) -> dict[str, Any]:
    """The paging envelope both event listings share; ``page`` is a ``services.paging.CursorPage``."""
    return _drop_none(
        {
            "records": records,
            "total_records": page.total_records,
            "next_cursor": page.next_cursor,
            "prev_cursor": page.prev_cursor,
            "_links": links,
        }
    )
