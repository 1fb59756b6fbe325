"""What the campaign pages ask of the API, through the client only (apps.ctct).

The campaigns listing (GET /emails) has no status or name filter: the status tabs and the name
search narrow the page the API returned (docs/decisions/dashboard-campaigns.md#tabs-and-search-filter-the-fetched-page).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

from apps.ctct import Client, Page
from ctctdash.pages import PAGE_SIZE, with_dates


class Tab(NamedTuple):
    """A status tab of the campaigns list: its query value, label and the API statuses it shows."""

    value: str
    label: str
    statuses: frozenset[str]


# The API's campaign statuses (title case) under the four tabs; a send under way or one that
# failed is among the sent, where its history is.
TABS = (
    Tab("draft", "Draft", frozenset({"Draft"})),
    Tab("scheduled", "Scheduled", frozenset({"Scheduled"})),
    Tab("sent", "Sent", frozenset({"Executing", "Done", "Error"})),
    Tab("removed", "Removed", frozenset({"Removed"})),
)
TABS_BY_VALUE = {tab.value: tab for tab in TABS}


def campaign_page(client: Client, cursor: str | None = None) -> Page:
    """One page of the account's campaigns (Removed ones too, as the API lists them)."""
    page = client.page("retrieveEmailCampaignsUsingGET", cursor, limit=PAGE_SIZE)
    return replace(page, items=[with_dates(item) for item in page.items])


def shown(items: list[dict[str, Any]], tab: Tab | None, search: str) -> list[dict[str, Any]]:
    """The page's campaigns in ``tab`` (None: every one but the Removed) whose name contains ``search``."""
    needle = search.strip().casefold()
    return [
        item
        for item in items
        if (item.get("current_status") in tab.statuses if tab else item.get("current_status") != "Removed")
        and needle in str(item.get("name", "")).casefold()
    ]
