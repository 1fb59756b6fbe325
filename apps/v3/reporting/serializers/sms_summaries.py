"""The SMS summaries report as the spec shapes it: ``SmsCampaignSummariesPage``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from apps.v3.sms.models import SmsCampaign


def _percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent, two decimals; 0 when there is no whole."""
    return round(part * 100 / whole, 2) if whole else 0.0


def aggregate_percents(campaigns: Sequence[SmsCampaign]) -> dict[str, float]:
    """The page's rates, summed over its campaigns before dividing (docs/decisions/sms.md#aggregate-percents)."""
    sends = sum(c.sends for c in campaigns)
    delivers = sum(c.delivers for c in campaigns)
    return {
        "deliver": _percent(delivers, sends),
        "click": _percent(sum(c.clicks for c in campaigns), delivers),
        "bounce": _percent(sum(c.bounces for c in campaigns), sends),
        "unsubscribe": _percent(sum(c.optouts for c in campaigns), delivers),
    }


def campaign_summary(campaign: SmsCampaign) -> dict[str, Any]:
    """One ``BulkCampaignSummary``."""
    assert campaign.last_sent_date is not None  # the report lists only sent campaigns
    return {
        "campaign_id": str(campaign.campaign_id),
        "campaign_name": campaign.name,
        "campaign_type": "SMS",
        "last_sent_date": campaign.last_sent_date.isoformat().replace("+00:00", "Z"),
        "unique_counts": {
            "sends": campaign.sends,
            "delivers": campaign.delivers,
            "clicks": campaign.clicks,
            "optouts": campaign.optouts,
        },
    }


def summaries_data(campaigns: Sequence[SmsCampaign], links: dict[str, Any]) -> dict[str, Any]:
    """The whole page: each campaign's summary, the page's aggregate percents, and ``_links``."""
    return {
        "bulk_sms_campaign_summaries": [campaign_summary(c) for c in campaigns],
        "aggregate_percents": aggregate_percents(campaigns),
        "_links": links,
    }
