"""The events' public pages, outside the ``/v3/`` API and without a token: registration, confirmation, tickets."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "v3-events"

urlpatterns: list[URLPattern] = []
