"""The home page's picture of the active account: its contacts, lists and recent bulk activities.

Every figure is read through the V3 client (three calls: GET /contacts/counts, GET /contact_lists,
GET /activities), so it is what the account holds now, not a copy kept here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from apps.ctct import Client
from ctctdash.pages.activity_states import state_label

__all__ = ["ACTIVITIES_SHOWN", "LISTS_SHOWN", "ActivityRow", "Overview", "account_overview"]

LISTS_SHOWN = 5  # the home page names a few; the lists page has them all
ACTIVITIES_SHOWN = 5


@dataclass(frozen=True)
class ActivityRow:
    """One recent bulk activity in words: what it was, its state, when it started."""

    activity_id: str
    name: str
    state: str  # the API's word ("processing")
    percent_done: int
    created_at: str

    @property
    def state_label(self) -> str:
        """The state in the words the jobs pages use ("Running")."""
        return state_label(self.state)

    @property
    def started(self) -> datetime | None:
        """``created_at`` as a datetime for the template's ``|date`` (None when absent or unreadable)."""
        return parse_datetime(self.created_at) if self.created_at else None

    @classmethod
    def of(cls, activity: dict[str, Any]) -> ActivityRow:
        """The row for one item of GET /activities (an import names its file; an export has results)."""
        file_name = str(activity.get("source_file_name") or "")
        links = activity.get("_links") or {}
        name = f"Import of {file_name}" if file_name else ("Export" if "results" in links else "Bulk activity")
        state = str(activity.get("state") or "")
        return cls(
            activity_id=str(activity.get("activity_id") or ""),
            name=name,
            state=state,
            percent_done=int(activity.get("percent_done") or 0),
            created_at=str(activity.get("created_at") or ""),
        )


@dataclass(frozen=True)
class Overview:
    """What the home page says about an account."""

    contacts: int
    new_subscribers: int  # opted in within the last 30 days (the API's ``new_subscriber`` count)
    lists: list[dict[str, Any]] = field(default_factory=list)  # name, list_id, membership_count
    lists_total: int = 0
    activities: list[ActivityRow] = field(default_factory=list)  # the latest bulk activities, newest first

    @property
    def is_empty(self) -> bool:
        """Nothing imported and no list made yet: the page shows its first steps."""
        return self.contacts == 0 or self.lists_total == 0


def account_overview(client: Client) -> Overview:
    """The account's contact counts, first lists with member counts and latest activities."""
    counts = client.contacts.count_contact(include="new_subscriber")
    lists = client.contact_lists.get_lists(limit=LISTS_SHOWN, include_count=True, include_membership_count="all")
    activities = client.bulk_activities.get_activity_status_collection(limit=ACTIVITIES_SHOWN)
    shown = list(lists.get("lists") or [])
    return Overview(
        contacts=int(counts.get("total") or 0),
        new_subscribers=int(counts.get("new_subscriber") or 0),
        lists=shown,
        lists_total=int(lists.get("lists_count") or len(shown)),
        activities=sorted(
            (ActivityRow.of(item) for item in activities.get("activities") or []),
            key=lambda row: row.created_at,
            reverse=True,
        )[:ACTIVITIES_SHOWN],
    )
