"""Response shapes of registrations: the listing's ``RegistrantInformationLiteDto``, ``DetailedRegistrationDto``,
and the 207 body of the status updates."""

from __future__ import annotations

from typing import Any

from apps.v3.events.models import Registration
from apps.v3.events.serializers.events import paged
from apps.v3.events.tickets.links import confirmation_url
from apps.v3.events.tickets.money import money
from apps.v3.events.tickets.times import iso


def checkin_status(checked: int, eligible: int) -> str:
    """``checkin_status`` (docs/decisions/events.md#check-in-status-words)."""
    if eligible and checked == eligible:
        return "CHECKED_IN"
    return "PARTIALLY_CHECKED_IN" if checked else "NOT_CHECKED_IN"


def _check_in(counts: tuple[int, int]) -> dict[str, Any]:
    checked, eligible = counts
    return {
        "checkedIn_tickets": checked,
        "eligible_checkin_tickets": eligible,
        "checkin_status": checkin_status(checked, eligible),
    }


def registration_lite(registration: Registration, track_key: str, counts: tuple[int, int]) -> dict[str, Any]:
    """``RegistrantInformationLiteDto``; a free registration has no ``payment_status``."""
    data = {
        "registration_id": str(registration.registration_id),
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email_address": registration.email_address,
        "registration_status": registration.registration_status,
        "registration_time": iso(registration.registration_time),
        "tickets": registration.tickets,
        "total": float(registration.total),
        "track_key": track_key,
        "new_contact": registration.new_contact,
        **_check_in(counts),
    }
    if registration.payment_status:
        data["payment_status"] = registration.payment_status
    return data


def registrations_data(
    page: Any, track_key: str, counts: dict[int, tuple[int, int]], links: dict[str, Any]
) -> dict[str, Any]:
    """``PaginatedRegistrations``."""
    records = [registration_lite(r, track_key, counts[r.pk]) for r in page.rows]
    return paged(records, page, links)


_CONTACT_FIELDS = (
    ("first_name", "First Name", "CONTACT_FIRST_NAME"),
    ("last_name", "Last Name", "CONTACT_LAST_NAME"),
    ("email_address", "Email Address", "CONTACT_EMAIL_ADDRESS"),
    ("phone_number", "Phone Number", "CONTACT_PHONE_NUMBER"),
)


def registration_detail(registration: Registration, counts: tuple[int, int]) -> dict[str, Any]:
    """``DetailedRegistrationDto``: the registrant's fields, each ticket, and the order summary."""
    event = registration.track.event
    contact = [
        {
            "display_order": n,
            "field_label": label,
            "field_name": name,
            "field_type": "TEXT",
            "label_key": f"registration.field.label.{name.lower()}",
            "field_value": getattr(registration, attr),
        }
        for n, (attr, label, name) in enumerate(_CONTACT_FIELDS, start=1)
        if getattr(registration, attr)
    ]
    tickets: list[dict[str, Any]] = [
        {
            "order_ticket_key": t.order_ticket_key,
            "ticket_name": t.ticket_name,
            "price": float(t.price),
            "editable": False,
            "fields": [],
            **({"checked_in_time": iso(t.checked_in_time)} if t.checked_in_time else {}),
        }
        for t in registration.ticket_rows.all()
    ]
    details = [
        {
            "name": line.name if line.quantity == 1 else f"{line.name} × {line.quantity}",
            "line_item_type": line.line_item_type,
            "amount": money(line.amount, event.currency_type),
            "amount_unformatted": float(line.amount),
        }
        for line in registration.line_items.all()
    ]
    summary: dict[str, Any] = {
        "number": registration.order_number,
        "title": event.title,
        "tickets_link": confirmation_url(registration),
        "tickets_text": f"Your tickets for {event.title}.",
        "details": details,
    }
    if registration.payment_method:
        summary.update(payment_method=registration.payment_method, payment_status=registration.payment_status)
    if registration.payment_time:
        summary["payment_time"] = iso(registration.payment_time)
    if registration.payment_transaction_id:
        summary["payment_transaction_id"] = registration.payment_transaction_id
    data: dict[str, Any] = {
        "registration_id": str(registration.registration_id),
        "registration_date": iso(registration.registration_time),
        "registration_status": registration.registration_status,
        "display_physical_tickets": True,
        "contact": contact,
        "tickets": tickets,
        "order_summary": summary,
        **_check_in(counts),
    }
    if registration.contact is not None:
        data["contact_id"] = str(registration.contact.contact_id)
    return data


def failed_data(failed: list[str]) -> dict[str, Any]:
    """``RegistrationStatusUpdateResponseDto``."""
    return {"failed_registration_ids": failed}
