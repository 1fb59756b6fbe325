"""Keyset paging both ways (``next`` and ``prev`` cursors) with ``total_records``, as the events listings page.

The core pager (:mod:`apps.v3.http.paging`) only goes forward; the events operations hand out a
``prev_cursor`` too. A cursor is the signed sort key of a page's edge row, the direction, and the
listing's sort, so a cursor of another sort (or a forged one) is a 400 rather than a wrong page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, Model, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from apps.v3.gate.errors import bad_request

M = TypeVar("M", bound=Model)
_SALT = "v3.events.paging"


@dataclass
class CursorPage:
    """One page, the cursors to its neighbours (None at either end), and how many rows match in all."""

    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    total_records: int


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _beyond(fields: Sequence[str], key: Sequence[Any], op: str) -> Any:
    """Rows past ``key`` in the (field, ..., id) order, ``op`` ``gt`` or ``lt``, as one row-value comparison.

    ``(field, id) > (x, y)`` is what PostgreSQL (and SQLite) seek to on the (track, field, id) index,
    so page 100 starts where page 99 ended even on a field with few distinct values (a status),
    where an OR-chain would scan every row of that value again. Django's tuple lookups (the ones its
    composite primary keys use) write it, natively where the database has row values.
    """
    lookup = TupleGreaterThan if op == "gt" else TupleLessThan
    return lookup(Tuple(*(F(f) for f in fields)), tuple(key))


def _cursor(row: Any, fields: Sequence[str], direction: str, scope: str) -> str:
    key = [_value(getattr(row, field)) for field in fields]
    return signing.dumps({"k": key, "d": direction, "s": scope}, salt=_SALT, compress=True)


def _read(cursor: str, direction: str, scope: str, width: int) -> list[Any]:
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise bad_request(f"{direction}: not a cursor this service issued") from None
    if not isinstance(data, dict) or data.get("d") != direction:
        raise bad_request(f"{direction}: not a {direction} cursor")
    if data.get("s") != scope or not isinstance(data.get("k"), list) or len(data["k"]) != width:
        raise bad_request(f"{direction}: the cursor belongs to another listing or sort order")
    return list(data["k"])


def cursor_page(
    queryset: QuerySet[M],
    fields: Sequence[str],
    descending: bool,
    limit: int,
    *,
    next_cursor: str | None = None,
    prev_cursor: str | None = None,
    scope: str,
) -> CursorPage:
    """A page of ``queryset`` ordered by ``fields`` (the last one unique), after ``next`` or before ``prev``.

    ``scope`` names the listing and its sort; a cursor carries it and must come back with it.
    """
    if next_cursor and prev_cursor:
        raise bad_request("next, prev: give one cursor, not both")
    total = queryset.count()
    forward = prev_cursor is None
    # Going back walks the reverse order from the cursor and turns the rows round afterwards.
    walk_descending = descending if forward else not descending
    order = [f"-{f}" if walk_descending else f for f in fields]
    qs = queryset.order_by(*order)
    cursor = next_cursor or prev_cursor
    if cursor:
        key = _read(cursor, "next" if forward else "prev", scope, len(fields))
        qs = qs.filter(_beyond(fields, key, "lt" if walk_descending else "gt"))
    try:
        rows = list(qs[: limit + 1])
    except (ValidationError, ValueError, TypeError):
        # A signed key whose values the columns cannot take (a hand-edited payload is signed too
        # rarely to matter, but a stale one after a type change is not).
        raise bad_request("cursor: does not fit this listing") from None
    more = len(rows) > limit
    rows = rows[:limit]
    if not forward:
        rows.reverse()
    if not rows:
        return CursorPage([], None, None, total)
    has_next = more if forward else True
    has_prev = (cursor is not None) if forward else more
    return CursorPage(
        rows,
        _cursor(rows[-1], fields, "next", scope) if has_next else None,
        _cursor(rows[0], fields, "prev", scope) if has_prev else None,
        total,
    )


def sorted_page(queryset: QuerySet[M], query: dict[str, Any], column: str, limit: int, scope: str) -> CursorPage:
    """The page a listing's query asks for, sorted by ``column`` then id.

    Unsorted (neither ``sort_by`` nor ``sort_order``), the newest row comes first; a sort field
    without an order is ascending, as the spec says of ``GET /events``.
    """
    descending = query.get("sort_order") == "DESC" if (query.get("sort_by") or query.get("sort_order")) else True
    return cursor_page(
        queryset,
        [column, "id"],
        descending,
        limit,
        next_cursor=query.get("next"),
        prev_cursor=query.get("prev"),
        scope=f"{scope}:{column}:{descending}",
    )
