"""One pager for every dashboard listing: First page, Previous and Next over cursors.

The API's cursors only go forward (``apps.ctct.Page.next_cursor``). The way back is a stack of the
cursors of the pages before this one, carried in the links themselves: ``back`` (repeated, oldest
first, "" standing for the first page, which has no cursor). Next pushes this page's cursor,
Previous pops the last one. Nothing is kept in a session, so every page is a link one can reload
or share, and ``page`` numbers it for people ("Page 3", rows 101-150).

A listing of the dashboard's own rows (the jobs table) pages the same way, its cursor naming the
last row shown. Two listings on one page keep their links apart with a ``prefix``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest

from apps.ctct import BadRequest

__all__ = [
    "BACK_STACK",
    "PAGE_SIZE",
    "Listing",
    "PageLinks",
    "Position",
    "StaleCursor",
    "listing_page",
    "page_links",
    "query",
]

# Enough rows to scan at a glance; the API's own default for most listings.
PAGE_SIZE = 50
# Pages remembered for "Previous": enough to step back through a session's browsing, small
# enough that the links stay short (each entry is a next link's query). Older pages are reached
# through "First page".
BACK_STACK = 10


class StaleCursor(Exception):
    """A cursor that no longer leads anywhere (the row it names is gone); the API's is its 400."""


class Paged(Protocol):
    """What a pager needs of a page: its next page's cursor, None on the last."""

    @property
    def next_cursor(self) -> str | None:
        """The cursor of the page after this one."""
        ...


P = TypeVar("P", bound=Paged)


@dataclass(frozen=True)
class Position:
    """Where in a listing a request is: this page's cursor ("" for the first), the ones before it, its number."""

    cursor: str = ""
    back: tuple[str, ...] = ()
    number: int = 1
    prefix: str = ""

    @classmethod
    def of(cls, request: HttpRequest, prefix: str = "") -> Position:
        """The position the request's query names (``cursor``, ``back``, ``page``, each after ``prefix``)."""
        try:
            number = max(1, int(request.GET.get(f"{prefix}page", "1")))
        except ValueError:
            number = 1
        back = tuple(request.GET.getlist(f"{prefix}back")[-BACK_STACK:])
        return cls(request.GET.get(f"{prefix}cursor", ""), back, number, prefix)

    @property
    def first(self) -> Position:
        """The first page of the same listing."""
        return Position(prefix=self.prefix)

    def rows(self, shown: int, size: int = PAGE_SIZE) -> tuple[int, int]:
        """The numbers of the first and last row shown ("Showing 51-100"), for pages of ``size`` rows."""
        before = (self.number - 1) * size
        return before + 1, before + shown


def query(keep: Mapping[str, str], position: Position | None = None) -> str:
    """A listing URL's query string: ``keep`` (filters, sort), and for a later page its cursor, stack and number."""
    position = position or Position()
    state: dict[str, Any] = {
        f"{position.prefix}cursor": position.cursor,
        f"{position.prefix}back": list(position.back),
        f"{position.prefix}page": position.number if position.number > 1 else None,
    }
    return "?" + urlencode({**keep, **{k: v for k, v in state.items() if v not in (None, [], "")}}, doseq=True)


@dataclass(frozen=True)
class PageLinks:
    """The pager's links (a path and query, "" for one it does not show) and the page's number."""

    number: int = 1
    next: str = ""
    previous: str = ""
    first: str = ""

    def __bool__(self) -> bool:
        """Whether there is another page to go to: a listing of one page shows no pager."""
        return bool(self.next or self.previous or self.first)


def page_links(
    path: str, position: Position, next_cursor: str | None, keep: Mapping[str, str] | None = None
) -> PageLinks:
    """The links of the page at ``position`` of the listing at ``path``, keeping ``keep`` in each."""
    keep = keep or {}
    cursor, back, number = position.cursor, position.back, position.number
    pushed = Position(next_cursor or "", (*back, cursor)[-BACK_STACK:], number + 1, position.prefix)
    popped = Position(back[-1] if back else "", back[:-1], number - 1, position.prefix)
    return PageLinks(
        number=number,
        next=path + query(keep, pushed) if next_cursor else "",
        previous=path + query(keep, popped) if cursor and back else "",
        first=path + query(keep, position.first) if cursor else "",
    )


@dataclass(frozen=True)
class Listing(Generic[P]):
    """A page of a listing and its pager's links, as a template shows them."""

    page: P
    links: PageLinks

    @property
    def items(self) -> Sequence[Any]:
        """The page's items (rows)."""
        items: Sequence[Any] = getattr(self.page, "items", ())
        return items

    @property
    def total(self) -> int | None:
        """How many items the whole listing holds, when the API counted them."""
        total: int | None = getattr(self.page, "total", None)
        return total


def listing_page(
    request: HttpRequest, fetch: Callable[[str | None], P], keep: Mapping[str, str] | None = None, prefix: str = ""
) -> Listing[P]:
    """The page the request's cursor names, with its links; the first page, with a note, for a stale cursor.

    ``fetch(cursor)`` reads one page (None: the first). A cursor the API no longer accepts (or one
    edited by hand) is its 400, or ``StaleCursor`` from a listing of the dashboard's own rows.
    """
    position = Position.of(request, prefix)
    if position.cursor:
        try:
            page = fetch(position.cursor)
        except (BadRequest, StaleCursor):
            messages.info(request, "That page link has expired, so here is the first page.")
            position = position.first
        else:
            return Listing(page, page_links(request.path, position, page.next_cursor, keep))
    page = fetch(None)
    return Listing(page, page_links(request.path, position, page.next_cursor, keep))
