"""Landing Pages Reporting shapes: the ``PContact*TrackingActivity`` rows and their pages."""

from __future__ import annotations

import uuid
from typing import Any

from apps.v3.contacts.models import Contact, SmsPermission
from apps.v3.reporting.models import PageContactRollup, PageEvent, PageEventKind

# TrackingActivitySmsChannelDTO ``state`` letters for the SMS permissions the service stores.
SMS_STATES = {
    SmsPermission.NOT_SET: "N",
    SmsPermission.PENDING_CONFIRMATION: "P",
    SmsPermission.EXPLICIT: "E",
    SmsPermission.UNSUBSCRIBED: "O",
}


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def sms_channel(contact: Contact) -> dict[str, str] | None:
    """The contact's SMS number and state, or None without a number.

    Numbers are stored as digits with their country calling code; a North American one (1 and ten
    digits) is US and formatted nationally, any other only internationally
    (docs/decisions/reporting-contacts-landing-pages.md#sms-channel-rows).
    """
    digits = "".join(ch for ch in contact.sms_address if ch.isdigit())
    if not digits:
        return None
    channel = {"state": SMS_STATES.get(SmsPermission(contact.sms_permission), "N")}
    if len(digits) == 11 and digits.startswith("1"):
        area, exchange, line = digits[1:4], digits[4:7], digits[7:]
        channel.update(
            country_code="US",
            formatted_national=f"({area}) {exchange}-{line}",
            formatted_international=f"+1 {area}-{exchange}-{line}",
        )
    else:
        channel["formatted_international"] = f"+{digits}"
    return channel


def _row(page_id: uuid.UUID, row: PageEvent | PageContactRollup, tracking_activity_type: str) -> dict[str, Any]:
    contact = row.contact
    when = row.created_at if isinstance(row, PageEvent) else row.last_at
    data: dict[str, Any] = {
        "contact_id": str(contact.contact_id),
        "campaign_activity_id": str(page_id),
        "tracking_activity_type": tracking_activity_type,
        "email_address": contact.email_address,
        "created_time": _iso(when),
    }
    if contact.first_name:
        data["first_name"] = contact.first_name
    if contact.last_name:
        data["last_name"] = contact.last_name
    if row.kind in (PageEventKind.OPEN, PageEventKind.CLICK) and row.device_type:
        data["device_type"] = row.device_type
    if row.kind == PageEventKind.CLICK:
        data["url_id"] = str(row.url_id)
        data["link_url"] = row.link_url
    if contact.deleted_at is not None:
        data["deleted_at"] = contact.deleted_at.date().isoformat()
    channel = sms_channel(contact)
    if channel is not None:
        data["sms_channel"] = channel
    return data


def report_data(
    page_id: uuid.UUID, rows: list[PageEvent | PageContactRollup], tracking_activity_type: str, next_href: str
) -> dict[str, Any]:
    """A ``PContact*TrackingActivitiesPage``; ``_links.next.href`` is '' on the last page
    (docs/decisions/reporting-contacts-landing-pages.md#the-last-pages-next-link)."""
    return {
        "tracking_activities": [_row(page_id, row, tracking_activity_type) for row in rows],
        "_links": {"next": {"href": next_href}},
    }
