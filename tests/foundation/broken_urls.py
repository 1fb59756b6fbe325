"""A URL conf whose one page fails, for the error-page tests; the project's handlers answer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path


def broken(request: HttpRequest) -> HttpResponse:
    """A page with a bug in it."""
    raise RuntimeError("a secret in a traceback")


urlpatterns = [path("", broken)]

handler404 = "ctctdash.errors.handler404"
handler500 = "ctctdash.errors.handler500"
