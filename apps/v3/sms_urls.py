"""The SMS pages outside the ``/v3/`` API, under ``/s/``: short links, the reply webhook, the staff page."""

from __future__ import annotations

from django.urls import URLPattern, path

from apps.v3.sms.public import pages

app_name = "v3-sms"

urlpatterns: list[URLPattern] = [
    path("inbound", pages.inbound, name="inbound"),
    path("campaigns/", pages.campaigns, name="campaigns"),
    # Last: a short code is any other single segment (docs/decisions/sms.md#short-links).
    path("<str:code>", pages.short_link, name="short-link"),
]
