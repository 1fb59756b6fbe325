"""Cursor paging: follow ``_links.next.href`` from the first page to the last.

The next link is relative to the host (``/v3/contacts?cursor=...``) on both Constant Contact and
the built-in service, so it is resolved against the base URL's origin, not its path. A link to
another origin is refused: following it would send the bearer token to a stranger.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from .operations import OPERATIONS

if TYPE_CHECKING:
    from .core import Core


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def resolve_next(base_url: str, href: str) -> str:
    """The absolute URL of a next-page ``href``: absolute as is, ``/path`` on the base's origin."""
    if href.startswith("/") or urlsplit(href).scheme:
        url = urljoin(base_url, href)  # also resolves ``//host/...``, which the origin check then refuses
    else:  # relative to the API root, should a server ever send ``contacts?cursor=...``
        url = base_url.rstrip("/") + "/" + href
    if _origin(url) != _origin(base_url):
        raise ValueError(f"refusing to follow a next link to another origin: {href}")
    return url


def next_href(page: Any) -> str | None:
    """The page's ``_links.next.href``, or None on the last page."""
    if not isinstance(page, Mapping):
        return None
    link = (page.get("_links") or {}).get("next") or {}
    href = link.get("href") if isinstance(link, Mapping) else None
    return href or None


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
    key = items_key or OPERATIONS[operation_id].items_key
    if key is None:
        raise ValueError(f"{operation_id} is not a paged listing; name the items_key to page it anyway")
    for page in iter_pages(core, operation_id, arguments):
        yield from page.get(key) or []
