"""What the reports pages read through the client, shaped for the templates.

Counts and percents are the service's (docs/decisions/reporting.md#formulas); the pages only
arrange them. See docs/decisions/dashboard-reporting.md.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

from apps.ctct import Client, Page
from ctctdash.pages import with_dates

# Campaigns compared on the Reports page at a time: each row also reads its campaign's name.
SUMMARY_PAGE_SIZE = 20
TRACKING_PAGE_SIZE = 50
DEVICES = (
    ("computer", "Computer"),
    ("mobile", "Mobile"),
    ("tablet", "Tablet"),
    ("other", "Other"),
    ("none", "Unknown"),
)
BOUNCE_CODES = (
    ("nonexistent_address", "Address does not exist"),
    ("undeliverable", "Undeliverable"),
    ("mailbox_full", "Mailbox full"),
    ("suspended", "Suspended"),
    ("vacation", "Vacation or auto-reply"),
    ("other", "Other"),
    ("blocked", "Blocked"),
)
# The tracking lists a report has a tab for: (tab, label, operation).
TABS = (("opens", "Opens", "getOpens"), ("clicks", "Clicks", "getClicks"))


class Tile(NamedTuple):
    """One KPI: its label, count, and rate (percent, one decimal) with what the rate is of."""

    label: str
    number: int
    rate: float
    rate_of: str


def primary_activity_id(campaign: dict[str, Any]) -> str | None:
    """The campaign's primary email activity, the one its tracking lists and links belong to."""
    for activity in campaign.get("campaign_activities") or []:
        if activity.get("role") == "primary_email":
            return str(activity["campaign_activity_id"])
    return None


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent, one decimal; 0 when ``whole`` is 0 (the service's rule)."""
    return round(100 * part / whole, 1) if whole else 0.0


def campaign_report(client: Client, campaign_id: str) -> dict[str, Any]:
    """The campaign, its stats, tiles, links, bounces by code and device split."""
    campaign = client.call("retrieveEmailCampaignUsingGET", campaign_id=campaign_id)
    results = client.call("getEmailSummary", campaign_ids=campaign_id).get("results") or []
    result = results[0] if results else {}
    stats: dict[str, int] = result.get("stats") or {}
    percents: dict[str, float] = result.get("percents") or {}
    sends = stats.get("em_sends", 0)
    bounces = stats.get("em_bounces", 0)
    delivered = sends - bounces
    tiles = [
        Tile("Sent", sends, 100.0 if sends else 0.0, "of sends"),
        Tile("Delivered", delivered, percent(delivered, sends), "of sends"),
        Tile("Opens", stats.get("em_opens", 0), percents.get("open", 0.0), "of delivered"),
        Tile("Clicks", stats.get("em_clicks", 0), percents.get("click", 0.0), "of opens"),
        Tile("Bounces", bounces, percents.get("bounce", 0.0), "of sends"),
        Tile("Unsubscribes", stats.get("em_optouts", 0), percents.get("unsubscribe", 0.0), "of delivered"),
    ]
    activity_id = primary_activity_id(campaign)
    links: list[dict[str, Any]] = []
    # Bounces by code and the device split are the primary email's (activity stats); the tiles
    # add up the campaign's activities (campaign stats).
    detail: dict[str, int] = {}
    if activity_id and sends:
        found = client.call("getEmailCampaignActivitySummary", campaign_activity_ids=activity_id).get("results") or []
        detail = (found[0].get("stats") if found else None) or {}
        body = client.call("getCampaignActivityLinkStats", campaign_activity_id=activity_id)
        links = sorted(body.get("link_click_counts") or [], key=lambda link: -int(link.get("unique_clicks") or 0))
    devices = [
        {
            "device": label,
            "opens": detail.get(f"em_opens_all_{key}", 0),
            "clicks": detail.get(f"em_clicks_all_{key}", 0),
        }
        for key, label in DEVICES
    ]
    return {
        "campaign": campaign,
        "activity_id": activity_id,
        "stats": stats,
        "sent": bool(sends),
        "tiles": tiles,
        "links": links,
        "bounces": [(label, detail.get(f"em_bounces_{code}", 0)) for code, label in BOUNCE_CODES],
        "devices": devices,
        "chart": {
            "labels": [row["device"] for row in devices],
            "opens": [row["opens"] for row in devices],
            "clicks": [row["clicks"] for row in devices],
        },
    }


def tracking_page(client: Client, operation_id: str, activity_id: str, cursor: str | None = None) -> Page:
    """One page of a tracking list (opens, clicks) of the activity, newest first."""
    page = client.page(operation_id, cursor, campaign_activity_id=activity_id, limit=TRACKING_PAGE_SIZE)
    return replace(page, items=[with_dates(item, ("created_time",)) for item in page.items])


def summary_page(client: Client, cursor: str | None = None) -> Page:
    """One page of the account's sent campaigns' summaries, last sent first, each with its name."""
    page = client.page("getAllBulkEmailCampaignSummaries", cursor, limit=SUMMARY_PAGE_SIZE)
    rows = []
    for summary in page.items:
        counts = summary.get("unique_counts") or {}
        delivered = counts.get("sends", 0) - counts.get("bounces", 0)
        campaign = client.call("retrieveEmailCampaignUsingGET", campaign_id=summary["campaign_id"])
        rows.append(
            {
                **with_dates(summary, ("last_sent_date",)),
                "name": campaign.get("name", ""),
                "counts": counts,
                "open_rate": percent(counts.get("opens", 0), delivered),
                "click_rate": percent(counts.get("clicks", 0), counts.get("opens", 0)),
                "bounce_rate": percent(counts.get("bounces", 0), counts.get("sends", 0)),
            }
        )
    return replace(page, items=rows)
