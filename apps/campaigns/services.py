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


# The HTML editor's format (the spec's format_type 5: custom code); the only one these pages write.
CUSTOM_CODE = 5


def sender_choices(client: Client) -> list[str]:
    """The account's confirmed email addresses: the only ones a campaign may come from or reply to."""
    emails = client.account_services.retrieve_email_addresses(confirm_status="CONFIRMED")
    return sorted({str(e["email_address"]) for e in emails if e.get("confirm_status") == "CONFIRMED"}, key=str.casefold)


def list_choices(client: Client) -> list[tuple[str, str]]:
    """The account's contact lists with their member counts, as (id, label) choices by name."""
    lists = client.contact_lists.iter_lists(limit=500, include_membership_count="all")
    rows = sorted(lists, key=lambda item: str(item.get("name", "")).casefold())
    return [
        (str(item["list_id"]), f"{item.get('name', '')} ({item.get('membership_count', 0)} members)") for item in rows
    ]


def segment_choices(client: Client) -> list[tuple[str, str]]:
    """The account's segments as (id, name) choices by name."""
    segments = client.segments.iter_account_segments(limit=1000)
    rows = sorted(segments, key=lambda item: str(item.get("name", "")).casefold())
    return [(str(item["segment_id"]), str(item.get("name", ""))) for item in rows]


def _activity_body(data: dict[str, Any]) -> dict[str, Any]:
    """The primary email's properties from the form's cleaned data (recipients included)."""
    return {
        "format_type": CUSTOM_CODE,
        "from_name": data["from_name"],
        "from_email": data["from_email"],
        "reply_to_email": data["reply_to_email"],
        "subject": data["subject"],
        "preheader": data.get("preheader") or "",
        "html_content": data["html_content"],
        "contact_list_ids": list(data.get("lists") or []),
        "segment_ids": [int(data["segment"])] if data.get("segment") else [],
    }


def primary_activity_id(campaign: dict[str, Any]) -> str:
    """The id of the campaign's primary email activity."""
    return next(
        str(ref["campaign_activity_id"])
        for ref in campaign.get("campaign_activities", [])
        if ref.get("role") == "primary_email"
    )


def create_campaign(client: Client, data: dict[str, Any]) -> dict[str, Any]:
    """A new Draft campaign (POST /emails), then its recipients on the primary email (PUT)."""
    body = _activity_body(data)
    recipients = {key: body.pop(key) for key in ("contact_list_ids", "segment_ids")}
    created = client.email_campaigns.create_email_campaign_using_post(
        body={"name": data["name"], "email_campaign_activities": [body]}
    )
    if recipients["contact_list_ids"] or recipients["segment_ids"]:
        client.email_campaigns.update_email_campaign_activity_using_put(
            primary_activity_id(created), body={**body, **recipients}
        )
    return created


def get_campaign(client: Client, campaign_id: str) -> dict[str, Any]:
    """A campaign with its primary email activity (``activity``)."""
    campaign = with_dates(client.email_campaigns.retrieve_email_campaign_using_get(campaign_id))
    campaign["activity"] = client.email_campaigns.retrieve_email_campaign_activity_using_get(
        primary_activity_id(campaign)
    )
    return campaign


def form_initial(campaign: dict[str, Any]) -> dict[str, Any]:
    """The edit form's values from a campaign and its primary email."""
    activity = campaign["activity"]
    segments = activity.get("segment_ids") or []
    return {
        "name": campaign.get("name", ""),
        **{key: activity.get(key, "") for key in ("from_name", "from_email", "reply_to_email", "subject")},
        "preheader": activity.get("preheader", ""),
        "html_content": activity.get("html_content", ""),
        "lists": activity.get("contact_list_ids") or [],
        "segment": str(segments[0]) if segments else "",
    }


def update_campaign(client: Client, campaign: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Save the edit form: the primary email's properties (PUT), and the name when it changed (PATCH)."""
    client.email_campaigns.update_email_campaign_activity_using_put(
        campaign["activity"]["campaign_activity_id"], body=_activity_body(data)
    )
    if data["name"] != campaign.get("name"):
        return client.email_campaigns.rename_email_campaign_using_patch(
            campaign["campaign_id"], body={"name": data["name"]}
        )
    return campaign


def preview(client: Client, campaign_activity_id: str) -> dict[str, Any]:
    """The previews operation's rendered HTML and text of an activity."""
    return client.email_scheduling.retrieve_email_campaign_activity_preview_using_get(campaign_activity_id)


def send_test(client: Client, campaign_activity_id: str, addresses: list[str], message: str) -> None:
    """Send the email to up to five addresses now, with a personal message above it."""
    client.email_scheduling.test_send_campaign_activity_using_post(
        campaign_activity_id, body={"email_addresses": addresses, "personal_message": message}
    )


def schedule(client: Client, campaign_activity_id: str, scheduled_date: str) -> list[Any]:
    """Schedule the email at an ISO date-time, or "0" to send it now."""
    return client.email_scheduling.schedule_email_campaign_activity_using_post(
        campaign_activity_id, body={"scheduled_date": scheduled_date}
    )


def unschedule(client: Client, campaign_activity_id: str) -> None:
    """Take a scheduled email back to a draft."""
    client.email_scheduling.unschedule_email_campaign_activity_using_delete(campaign_activity_id)


def schedules(client: Client, campaign_activity_id: str) -> list[Any]:
    """When the email is scheduled (empty unless it is)."""
    return [
        with_dates(entry, ("scheduled_date",))
        for entry in client.email_scheduling.retrieve_email_schedules_using_get(campaign_activity_id)
    ]


def send_history(client: Client, campaign_activity_id: str) -> list[Any]:
    """Each send of the email: when, to how many, and how it ended."""
    return [
        with_dates(entry, ("run_date",))
        for entry in client.email_scheduling.retrieve_email_send_history_using_get(campaign_activity_id)
    ]


def recipient_count(client: Client, activity: dict[str, Any]) -> int | None:
    """How many members the email's lists hold (None for a segment, counted only when it is sent)."""
    if activity.get("segment_ids"):
        return None
    chosen = set(activity.get("contact_list_ids") or [])
    lists = client.contact_lists.iter_lists(limit=500, include_membership_count="all")
    return sum(int(item.get("membership_count") or 0) for item in lists if str(item["list_id"]) in chosen)
