"""Checks of the values an event request carries: moments, time zones, currencies, limits, ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import available_timezones

from django.utils.dateparse import parse_datetime

from apps.v3.gate.errors import bad_request

# EventDto.currency_type lists these in its description.
CURRENCIES = frozenset(
    [
        "AUD",
        "BRL",
        "CAD",
        "CHF",
        "CZK",
        "DKK",
        "EUR",
        "GBP",
        "HKD",
        "HUF",
        "ILS",
        "JPY",
        "MXN",
        "MYR",
        "NOK",
        "NZD",
        "PHP",
        "PLN",
        "RUB",
        "SEK",
        "SGD",
        "THB",
        "TRY",
        "TWD",
        "USD",
    ]
)
# The spec names the location types in words only (docs/decisions/events.md#event-words-the-spec-leaves-open).
LOCATION_TYPES = ("PHYSICAL", "VIRTUAL", "HYBRID", "TBD")


def moment(raw: Any, where: str) -> datetime:
    """An ISO-8601 date-time in UTC (one without an offset is read as UTC); else a 400 naming ``where``."""
    if not isinstance(raw, str):
        raise bad_request(f"{where}: must be an ISO-8601 date-time string")
    try:
        value = parse_datetime(raw.strip().replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise bad_request(f"{where}: {raw!r} is not an ISO-8601 date-time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise bad_request(f"{where}: out of range") from None


def time_zone(raw: Any, where: str = "time_zone") -> str:
    """An IANA time zone name (``US/Eastern``, ``Europe/Paris``)."""
    if not isinstance(raw, str) or raw not in available_timezones():
        raise bad_request(f"{where}: {raw!r} is not a time zone name (IANA, e.g. US/Eastern)")
    return raw


def limit_of(raw: str | None, default: int, maximum: int, where: str = "limit") -> int:
    """A page size given as a string parameter: 1 to ``maximum``."""
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise bad_request(f"{where}: must be a whole number from 1 to {maximum}")
    return int(raw)


def uuids(values: list[Any], where: str) -> list[uuid.UUID]:
    """Each value a UUID (any case), duplicates dropped in order; a malformed one is a 400 naming it."""
    seen: dict[uuid.UUID, None] = {}
    for i, value in enumerate(values):
        try:
            seen[uuid.UUID(str(value))] = None
        except ValueError:
            raise bad_request(f"{where}[{i}]: {value!r} is not a UUID") from None
    return list(seen)


def text(value: Any, where: str, max_length: int, *, blank: bool = True) -> str:
    """A string of at most ``max_length`` characters (not blank unless ``blank``)."""
    if not isinstance(value, str):
        raise bad_request(f"{where}: must be a string")
    if not blank and not value.strip():
        raise bad_request(f"{where}: must not be blank")
    if len(value) > max_length:
        raise bad_request(f"{where}: longer than {max_length} characters")
    return value
