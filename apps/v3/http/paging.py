"""Keyset (cursor) paging: a page is fetched by "after this key", never by OFFSET.

The cursor is the last row's sort key, signed so a client cannot forge one that reads rows
another query would not; the next link repeats the original query with the new cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from apps.v3.gate.errors import bad_request

M = TypeVar("M", bound=Model)
_SALT = "v3.paging"


@dataclass
class Page:
    """One page of rows and the cursor of the next one (None at the end)."""

    rows: list[Any]
    next_cursor: str | None


def keyset_page(queryset: QuerySet[M], limit: int, cursor: str | None, order: Sequence[str] = ("pk",)) -> Page:
    """Rows after ``cursor`` in ``order`` (all ascending or all descending; last field unique)."""
    descending = order[0].startswith("-")
    fields = [f.lstrip("-") for f in order]
    qs = queryset.order_by(*order)
    if cursor:
        key = cursor_key(cursor)
        if key is None:
            raise bad_request("cursor: not a cursor this service issued", key="api.validation.error")
        if not isinstance(key, list) or len(key) != len(fields):
            raise bad_request("cursor: does not fit this listing", key="api.validation.error")
        try:
            # A signed cursor from another ordering of the same listing (sort_by=name passed to
            # sort_by=date) has the right length and the wrong types; the database layer notices
            # only while the query is built and run.
            qs = qs.filter(_after(fields, key, descending))
            rows = list(qs[: limit + 1])
        except (ValidationError, ValueError, TypeError):
            raise bad_request("cursor: does not fit this listing", key="api.validation.error") from None
    else:
        rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return Page(rows, None)
    rows = rows[:limit]
    last = rows[-1]
    key = [_key_value(getattr(last, f if f != "pk" else "pk")) for f in fields]
    return Page(rows, signing.dumps(key, salt=_SALT, compress=True))


def cursor_key(cursor: str) -> Any:
    """The sort key a cursor continues after, or None when this service did not sign it."""
    try:
        return signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        return None


def query_of(request: Any) -> dict[str, str]:
    """The request's query string as a flat dict, for building the next page's link."""
    return {key: str(value) for key, value in request.query_params.items()}


def _key_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if not isinstance(value, int) else value)


def _after(fields: list[str], key: list[Any], descending: bool) -> Q:
    """(a, b) > (x, y)  as  a > x OR (a = x AND b > y): portable row comparison."""
    op = "lt" if descending else "gt"
    condition = Q()
    for i, field in enumerate(fields):
        step = Q(**{f"{field}__{op}": key[i]})
        for prev, value in zip(fields[:i], key[:i], strict=False):
            step &= Q(**{prev: value})
        condition |= step
    return condition


def next_link(path: str, query: dict[str, Any], cursor: str | None) -> dict[str, Any]:
    """The ``_links`` object: ``{"next": {"href": ...}}`` when there is a next page, else ``{}``."""
    if cursor is None:
        return {}
    params = {k: v for k, v in query.items() if k != "cursor"}
    params["cursor"] = cursor
    return {"next": {"href": f"{path}?{urlencode(params, doseq=True)}"}}
