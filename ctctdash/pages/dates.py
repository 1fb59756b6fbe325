"""The API's ISO date-time strings as datetimes, so templates can format them with ``|date``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

__all__ = ["with_dates"]


def with_dates(item: dict[str, Any], keys: Iterable[str] = ("created_at", "updated_at")) -> dict[str, Any]:
    """``item`` with its ISO date-time strings under ``keys`` turned into datetimes for templates."""
    converted: dict[str, Any] = dict(item)
    for key in keys:
        value = item.get(key)
        if isinstance(value, str):
            parsed: datetime | None = parse_datetime(value)
            converted[key] = parsed or value
    return converted
