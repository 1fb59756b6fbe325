"""Event times: in UTC on the wire, in the event's own zone on its pages and in its mail."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def iso(value: datetime | None) -> str | None:
    """A moment in UTC as the spec's examples write it: ``2023-12-01T20:30:00.000Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def zone(name: str) -> ZoneInfo:
    """The zone an event's times are shown in; UTC if the stored name no longer resolves."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zone_abbreviation(name: str, at: datetime) -> str:
    """``time_zone_abbreviation``: the zone's short name at the event's start (EST or EDT)."""
    return at.astimezone(zone(name)).tzname() or name


def local(value: datetime, name: str) -> datetime:
    """``value`` in the event's zone, for showing."""
    return value.astimezone(zone(name))
