"""Contacts Reporting shapes: the contact tracking activities page, open and click rates, activity summary.

They take the services' rows by their attributes (services and serializers are independent layers).
"""

from __future__ import annotations

import uuid
from typing import Any

from apps.v3.contacts.models import Contact


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def activity_details_data(
    contact: Contact, rows: list[Any], names: dict[uuid.UUID, str] | None, links: dict[str, Any]
) -> dict[str, Any]:
    """A page of the contact's tracking activities; names only when asked for."""
    activities = []
    for row in rows:
        item = {
            "contact_id": str(contact.contact_id),
            "campaign_activity_id": str(row.campaign_activity_id),
            "created_time": _iso(row.created_at),
            "tracking_activity_type": row.tracking_activity_type,
        }
        if names is not None and row.campaign_activity_id in names:
            item["campaign_activity_name"] = names[row.campaign_activity_id]
        activities.append(item)
    return {"tracking_activities": activities, "_links": links}


def rates_data(contact: Contact, rates: Any) -> dict[str, Any]:
    """The contact's average open and click rates and how many activities they cover."""
    return {
        "contact_id": str(contact.contact_id),
        "included_activities_count": rates.included_activities_count,
        "average_open_rate": rates.average_open_rate,
        "average_click_rate": rates.average_click_rate,
    }


def summary_data(contact: Contact, summaries: list[Any]) -> dict[str, Any]:
    """What the contact did with each of their recent activities."""
    return {
        "contact_id": str(contact.contact_id),
        "campaign_activities": [
            {"campaign_activity_id": str(s.campaign_activity_id), "start_on": _iso(s.start_on), **s.counts}
            for s in summaries
        ],
    }
