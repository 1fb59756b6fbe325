"""Cursor paging: one page at a time, or every page from the first to the last; and following links.

The next link is relative to the host (``/v3/contacts?cursor=...``) on both Constant Contact and
the built-in service, so it is resolved against the base URL's origin, not its path. A link that
leaves the base URL (another origin, or a path outside the API's) is refused: following it would
send the bearer token to a stranger.

A page's ``next_cursor`` is its next link's query string (the API's own cursor and the filters it
repeats). Asking for that page sends the cursor to the operation's own path, so a cursor (which a
dashboard hands to browsers and reads back) can never point the client anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from .extensions import OPERATIONS

if TYPE_CHECKING:
    from .core import Core
    from .table import Operation


@dataclass(frozen=True)
class Page:
    """One page of a listing: its items, the next page's cursor (None on the last), the count, the body."""

    items: list[Any]
    next_cursor: str | None = None
    # The listings that count their items name the count after them (``contacts_count``,
    # ``lists_count``) and only when asked (``include_count``); None otherwise.
    total: int | None = None
    body: Any = None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _inside(base_path: str, path: str) -> bool:
    """Whether ``path`` is the base's path or below it, with no ``..`` step (encoded or not) out of it."""
    segments = unquote(path).split("/")
    if ".." in segments:
        return False
    base = base_path.rstrip("/")
    return not base or path == base or path.startswith(base + "/")


def resolve_next(base_url: str, href: str) -> str:
    """The absolute URL of an ``href`` the API sent: absolute as is, ``/path`` on the base's origin.

    Raises ``ValueError`` for one that leaves the base URL: another origin, or a path outside its path.
    """
    if href.startswith("/") or urlsplit(href).scheme:
        url = urljoin(base_url, href)  # also resolves ``//host/...``, which the origin check then refuses
    else:  # relative to the API root, should a server ever send ``contacts?cursor=...``
        url = base_url.rstrip("/") + "/" + href
    if _origin(url) != _origin(base_url):
        raise ValueError(f"refusing to follow a link to another origin: {href}")
    if not _inside(urlsplit(base_url).path, urlsplit(url).path):
        raise ValueError(f"refusing to follow a link outside the API's base URL: {href}")
    return url


def next_href(page: Any) -> str | None:
    """The page's ``_links.next.href``, or None on the last page."""
    if not isinstance(page, Mapping):
        return None
    link = (page.get("_links") or {}).get("next") or {}
    href = link.get("href") if isinstance(link, Mapping) else None
    return href or None


def _items_key(operation: Operation, items_key: str | None = None) -> str:
    key = items_key or operation.items_key
    if key is None:
        raise ValueError(f"{operation.id} is not a paged listing; name the items_key to page it anyway")
    return key


def fetch_page(core: Core, operation_id: str, arguments: Mapping[str, Any], cursor: str | None = None) -> Page:
    """The first page of a listing called with ``arguments``, or the page ``cursor`` names.

    With a cursor the query is the cursor's (the API repeats its filters in it); ``arguments``
    then only fill the path's parameters.
    """
    operation = OPERATIONS[operation_id]
    key = _items_key(operation)
    if cursor:
        core.check_arguments(operation, arguments)
        body = core.get_url(f"{core.url_for(operation, arguments)}?{cursor.lstrip('?')}")
    else:
        body = core.call(operation_id, arguments)
    href = next_href(body)
    total = body.get(f"{key}_count") if isinstance(body, Mapping) else None
    return Page(
        items=list((body.get(key) if isinstance(body, Mapping) else None) or []),
        next_cursor=(urlsplit(href).query or None) if href else None,
        total=total if isinstance(total, int) and not isinstance(total, bool) else None,
        body=body,
    )


def iter_pages(core: Core, operation_id: str, arguments: Mapping[str, Any]) -> Iterator[Any]:
    """Each page of a listing: the operation's own response, then every page its links lead to."""
    page = core.call(operation_id, arguments)
    previous = None
    while True:
        yield page
        href = next_href(page)
        if href is None or href == previous:  # a repeated link would loop for ever
            return
        previous = href
        page = core.get_url(resolve_next(core.base_url, href))


def iter_items(
    core: Core, operation_id: str, arguments: Mapping[str, Any], items_key: str | None = None
) -> Iterator[Any]:
    """Every item of a listing across all its pages; ``items_key`` defaults to the spec's array."""
    key = _items_key(OPERATIONS[operation_id], items_key)
    for page in iter_pages(core, operation_id, arguments):
        yield from page.get(key) or []
