"""Email Reporting shapes: each tracking row exactly as the spec's ``*TrackingActivity`` definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apps.v3.campaigns.models import CampaignActivity, Send, TrackingEvent
from apps.v3.contacts.models import Contact
from apps.v3.reporting.models import ContactRollup


def when(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _contact(
    activity: CampaignActivity, contact: Contact, kind: str, at: datetime, email: str | None = None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "contact_id": str(contact.contact_id),
        "campaign_activity_id": str(activity.campaign_activity_id),
        "tracking_activity_type": kind,
        "email_address": email if email is not None else contact.email_address,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "created_time": when(at),
    }
    if contact.deleted_at:
        row["deleted_at"] = contact.deleted_at.date().isoformat()
    return row


def send_row(activity: CampaignActivity, send: Send, kind: str) -> dict[str, Any]:
    """A send (``em_sends``) or a did-not-open (``em_didnotopens``): the address it went to, when."""
    return _contact(activity, send.contact, kind, send.sent_at, send.email_address)


def did_not_open_row(activity: CampaignActivity, rollup: ContactRollup) -> dict[str, Any]:
    """A delivered send not opened (``em_didnotopens``): the address it went to, when."""
    return _contact(activity, rollup.contact, "em_didnotopens", rollup.last_at, getattr(rollup, "email_address", None))


def event_row(activity: CampaignActivity, event: TrackingEvent) -> dict[str, Any]:
    """An open, click, forward, opt-out or bounce row, with the fields of its kind."""
    row = _contact(activity, event.contact, f"em_{event.kind}s", event.created_at)
    if event.kind in ("open", "click"):
        row["device_type"] = event.device_type or "none"
    if event.kind == "click":
        row["url_id"] = str(event.url.url_id) if event.url else ""
        row["link_url"] = event.url.url if event.url else ""
    if event.kind == "optout":
        row["opt_out_reason"] = event.reason
    if event.kind == "bounce":
        row["bounce_code"] = event.bounce_code
        row["current_email_address"] = event.contact.email_address
    return row


def unique_open_row(activity: CampaignActivity, rollup: ContactRollup) -> dict[str, Any]:
    """A contact's last open (``em_opens``), with that open's device."""
    row = _contact(activity, rollup.contact, "em_opens", rollup.last_at)
    row["device_type"] = getattr(rollup, "device_type", None) or "none"
    return row


def tracking_page(rows: list[dict[str, Any]], links: dict[str, Any]) -> dict[str, Any]:
    # OptoutsTrackingActivitiesPage and BouncesTrackingActivitiesPage require _links; an empty object fits all.
    return {"tracking_activities": rows, "_links": links}
