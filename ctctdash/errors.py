"""Project error handlers: V3 paths answer in the spec's JSON envelope, pages in HTML."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from apps.v3.gate.errors import json_404, json_500


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
