"""Response bodies for the Segments tag, built key by key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.v3.contacts.models import Segment
from apps.v3.contacts.serializers.contacts import iso, present


def segment_master_data(segment: Segment) -> dict[str, Any]:
    """``SegmentMaster``: a segment in the listing, without its criteria."""
    return present(
        name=segment.name,
        segment_id=segment.segment_id,
        created_at=iso(segment.created_at),
        edited_at=iso(segment.edited_at),
    )


def segment_detail_data(segment: Segment) -> dict[str, Any]:
    """``SegmentDetail``: a segment with its criteria text, exactly as it was stored."""
    return {**segment_master_data(segment), **present(segment_criteria=segment.segment_criteria)}


def segments_data(segments: Iterable[Segment], links: dict[str, Any]) -> dict[str, Any]:
    """``SegmentsDTO``: the page and, when there is one, the next link."""
    return {"segments": [segment_master_data(s) for s in segments], **present(_links=links)}
