"""bench_pixel.py's routes: the project's own, plus a bare view on the same server."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """The floor: a view that does nothing, behind the same middleware as the pixel."""
    return HttpResponse(b"GIF89a", content_type="image/gif")


urlpatterns = [path("bare", bare), path("", include("ctctdash.urls"))]
