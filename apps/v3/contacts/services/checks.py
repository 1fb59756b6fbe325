"""Limits and small value checks shared by the contact and custom field modules.

Each check turns one raw value into a typed one or a 400 naming where it was; the limits are the
ones the operations state in words. They live here, below every other module of the package, so
the body readers, the writers and the listings use one definition and import nothing else.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from apps.v3.gate.errors import bad_request

# Limits the operations state in words. The array limits repeat the schema's ``maxItems`` because
# merging (sign-up form, resubscribe) can cross them without any one request doing so.
MAX_CONTACT_CUSTOM_FIELDS = 25
MAX_PHONES = 3
MAX_ADDRESSES = 3
MAX_LISTS = 50
MAX_TAGS = 50
# Ids and orders land in 64-bit (ids) or 32-bit (orders) columns; a larger number is bad input,
# not a database error.
MAX_BIGINT = 2**63 - 1
MAX_INT = 2**31 - 1


_ANNIVERSARY = (
    re.compile(r"^(?P<m>\d{1,2})(?P<sep>[/-])(?P<d>\d{1,2})(?P=sep)(?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})(?P<sep>[/-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})$"),
)


def parse_uuid(raw: Any, where: str) -> uuid.UUID:
    """``raw`` as a UUID, or a 400 naming ``where``."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise bad_request(f"{where}: {raw!r} is not a UUID") from None


def unique_uuids(raw: Iterable[Any], where: str) -> list[uuid.UUID]:
    """``raw`` as UUIDs, each at most once, or a 400 naming the bad or repeated ones."""
    ids = [parse_uuid(value, f"{where}[{i}]") for i, value in enumerate(raw)]
    repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
    if repeated:
        raise bad_request(f"{where}: ids repeated: {', '.join(repeated)}")
    return ids


def refuse_missing(where: str, wanted: Iterable[uuid.UUID], found: Iterable[uuid.UUID], what: str) -> None:
    """A 400 naming every id in ``wanted`` that is not in ``found``."""
    missing = sorted(str(i) for i in set(wanted) - set(found))
    if missing:
        raise bad_request(f"{where}: no such {what} in this account: {', '.join(missing)}")


def parse_calendar_date(raw: str) -> date | None:
    """``raw`` in one of the spec's date formats (MM/DD/YYYY, YYYY-MM-DD, M-D-YYYY ...) as a date, or None."""
    for pattern in _ANNIVERSARY:
        match = pattern.match(raw)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


def digits_value(text: str, maximum: int = MAX_BIGINT) -> int | None:
    """``text`` as a non-negative integer no larger than ``maximum`` (ASCII digits only), or None."""
    if not re.fullmatch(r"[0-9]{1,19}", text) or int(text) > maximum:
        return None
    return int(text)


def one_of(value: Any, allowed: Sequence[str], where: str) -> str:
    """``value`` if it is one of ``allowed``, or a 400 listing them."""
    if value not in allowed:
        raise bad_request(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def aware_utc(value: datetime, where: str) -> datetime:
    """``value`` in UTC; a date-time whose offset pushes it out of the calendar is a 400."""
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise bad_request(f"{where}: out of range") from None
