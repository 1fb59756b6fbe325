"""One page of a V3 listing at a time, for pages that show a "Next" link instead of everything.

The client's ``iter_*`` methods follow ``_links.next.href`` to the end; a page of the dashboard
wants one page and a way back to the next. The next link's query string (the API's own cursor and
the filters it repeats) is the dashboard's opaque ``page`` token: the next request asks for the
operation's own path with that query, so a token can never point the client anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils.dateparse import parse_datetime

from apps.ctct import Client
from apps.ctct.operations import OPERATIONS
from apps.ctct.paging import next_href

__all__ = ["PAGE_SIZE", "Page", "fetch_page", "with_dates"]

# Enough rows to scan at a glance; the API's own default for most listings.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page:
    """One page of items, the token of the next page (None on the last) and the total when known."""

    items: list[dict[str, Any]]
    next_token: str | None = None
    total: int | None = None


def fetch_page(
    client: Client, operation_id: str, token: str | None = None, total_key: str | None = None, **params: Any
) -> Page:
    """The first page of ``operation_id`` called with ``params``, or the page ``token`` names."""
    operation = OPERATIONS[operation_id]
    if token:
        body = client.core.get_url(f"{client.core.url_for(operation, {})}?{token.lstrip('?')}")
    else:
        body = client.call(operation_id, **params)
    href = next_href(body)
    items = list(body.get(operation.items_key or "") or [])
    total = body.get(total_key) if total_key else None
    return Page(items=items, next_token=urlsplit(href).query or None if href else None, total=total)


def with_dates(item: dict[str, Any], keys: Iterable[str] = ("created_at", "updated_at")) -> dict[str, Any]:
    """``item`` with its ISO date-time strings under ``keys`` turned into datetimes for templates."""
    converted: dict[str, Any] = dict(item)
    for key in keys:
        value = item.get(key)
        if isinstance(value, str):
            parsed: datetime | None = parse_datetime(value)
            converted[key] = parsed or value
    return converted
