"""Project error pages: V3 paths answer in the spec's JSON envelope, pages in the project's own HTML.

Django shows its debug pages for 404 and 500 whenever ``DEBUG`` is on (``make run``), and they
list the whole URL conf or a traceback to anyone, signed in or not. The middleware below puts
the project's own page in their place in every environment; the failure is still logged to the
console as Django logs it, which is where a developer looks.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

from apps.v3.gate.errors import json_404, json_500

# Both of Django's debug pages say why they are shown; no page of the project says so.
DEBUG_PAGE_MARK = b"DEBUG = True"


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Not found: JSON under /v3/, the HTML page elsewhere."""
    if request.path.startswith("/v3/"):
        return json_404(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """Server error: JSON under /v3/, the HTML page elsewhere."""
    if request.path.startswith("/v3/"):
        return json_500(request)
    return defaults.server_error(request)


def own_page(request: HttpRequest, status: int) -> HttpResponse:
    """The project's 404 or 500 page for ``request``."""
    if status == 404:
        body = loader.render_to_string("404.html", {"request_path": request.path}, request)
    else:
        body = loader.render_to_string("500.html")  # no request context: whatever failed may be in it
    return HttpResponse(body, status=status)


class OwnErrorPagesMiddleware:
    """Replaces Django's debug 404 and 500 pages (outside /v3/) with the project's own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/v3/") or response.status_code not in (404, 500):
            return response
        if getattr(response, "streaming", False) or DEBUG_PAGE_MARK not in response.content:
            return response
        return own_page(request, response.status_code)
