"""Dashboard pages owned by accounts: the home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard's landing page."""
    return render(request, "accounts/home.html")
