"""The one decision every dashboard page makes about htmx: answer a fragment or the whole page."""

from __future__ import annotations

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that swaps a fragment.

    A boosted request wants the whole page, and so does a history restore (htmx lost its copy of
    the page and asks the server for all of it).
    """
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted and not htmx.history_restore_request
