"""Public pages the campaign copies link to, outside the ``/v3/`` API: no token, each URL signed per recipient."""

from __future__ import annotations

from django.urls import URLPattern, path

from apps.v3.campaigns.public import outbox, pages

app_name = "v3-mail"

urlpatterns: list[URLPattern] = [
    # A copy's links (docs/decisions/campaigns.md#one-signed-token-per-recipient).
    path("o/<str:token>", pages.open_pixel, name="open"),
    path("c/<str:token>/<int:url_id>", pages.click, name="click"),
    path("f/<str:token>", pages.forward, name="forward"),
    path("u/<str:token>", pages.unsubscribe, name="unsubscribe"),
    path("p/<uuid:campaign_activity_id>", pages.permalink, name="permalink"),
    # The embedded outbox, only while it is the email backend (ctctdash/outbox.py).
    path("outbox/", outbox.outbox_list, name="outbox"),
    path("outbox/<str:name>", outbox.outbox_message, name="outbox-message"),
]
