"""Segments: create, update, rename and delete saved criteria, and page through them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.common.named import clean_name, rename, save_named
from apps.v3.contacts.models import Segment
from apps.v3.contacts.segments import validate_criteria
from apps.v3.gate.errors import V3Error, bad_request, not_found

MAX_LIMIT = 1000  # the spec's default page size is also its largest
# sort_by=name ascending; sort_by=date most recently edited first (the spec's two orders).
ORDERS = {"name": ("name", "pk"), "date": ("-edited_at", "-pk")}


def _conflict(name: str) -> V3Error:
    return V3Error(409, "api.conflict", f"name: a segment named {name!r} already exists")


def page_options(params: Mapping[str, Any]) -> tuple[int, tuple[str, ...]]:
    """``limit`` (a string in the spec) and ``sort_by`` of ``getAccountSegments``, checked."""
    raw = str(params["limit"]).strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(f"limit: must be a whole number from 1 to {MAX_LIMIT}")
    order = ORDERS.get(params["sort_by"])
    if order is None:
        raise bad_request(f"sort_by: {params['sort_by']!r} is not one of {', '.join(ORDERS)}")
    return int(raw), order


def live_segments(account: Account) -> QuerySet[Segment]:
    """The account's segments that are not deleted."""
    return Segment.objects.of(account).live()


def find_segment(account: Account, segment_id: int, live: bool = True) -> Segment:
    """The account's segment with this id (deleted ones too when not ``live``); 404 otherwise."""
    segments = live_segments(account) if live else Segment.objects.of(account)
    segment = segments.filter(pk=segment_id).first()
    if segment is None:
        raise not_found(f"No segment {segment_id} in this account.")
    return segment


def create_segment(account: Account, body: Mapping[str, Any]) -> Segment:
    """A new segment; its criteria are checked and stored as the caller wrote them."""
    name = clean_name(body["name"])
    validate_criteria(body["segment_criteria"])
    segment = Segment(account=account, name=name, segment_criteria=body["segment_criteria"])
    return save_named(segment, live_segments(account), lambda: _conflict(name))


def update_segment(account: Account, segment_id: int, body: Mapping[str, Any]) -> Segment:
    """Replace a live segment's name and criteria (the spec asks for both)."""
    name = clean_name(body["name"])
    validate_criteria(body["segment_criteria"])
    with transaction.atomic():
        segment = find_segment(account, segment_id)
        segment.name, segment.segment_criteria = name, body["segment_criteria"]
        return save_named(segment, live_segments(account), lambda: _conflict(name))


def rename_segment(account: Account, segment_id: int, body: Mapping[str, Any]) -> Segment:
    """Give a live segment a new unique name."""
    name = clean_name(body["name"])
    with transaction.atomic():
        return rename(find_segment(account, segment_id), name, live_segments(account), lambda: _conflict(name))


def delete_segment(account: Account, segment_id: int) -> None:
    """Mark a live segment deleted; it stays readable by id, as the spec says."""
    with transaction.atomic():
        segment = find_segment(account, segment_id)
        segment.deleted_at = timezone.now()
        # edited_at is about name and criteria, so the delete leaves it alone.
        Segment.objects.filter(pk=segment.pk).update(deleted_at=segment.deleted_at)
