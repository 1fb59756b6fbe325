"""Public pages the campaign copies link to, outside the ``/v3/`` API: no token, each URL signed per recipient."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "v3-mail"

urlpatterns: list[URLPattern] = []
