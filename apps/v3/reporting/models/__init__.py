"""Reporting's rows: counters and per-contact rollups of the campaigns' event rows, and the watermark
up to which those rows are folded in (docs/decisions/reporting.md#rollups-catch-up-from-a-watermark)."""

from apps.v3.reporting.models.landing_pages import PageContactRollup, PageEvent, PageEventKind, PageLink
from apps.v3.reporting.models.rollups import ActivityCounter, ContactRollup, RollupWatermark

__all__ = [
    "ActivityCounter",
    "ContactRollup",
    "PageContactRollup",
    "PageEvent",
    "PageEventKind",
    "PageLink",
    "RollupWatermark",
]
