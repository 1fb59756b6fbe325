"""The events' public pages, outside the ``/v3/`` API and without a token: registration, confirmation, tickets."""

from __future__ import annotations

from django.urls import path

from apps.v3.events.public import views

app_name = "v3-events"

urlpatterns = [
    path("r/<str:token>/", views.confirmation, name="confirmation"),
    path("r/<str:token>/l/<int:url_id>/", views.link, name="link"),
    path("t/<str:key>/", views.ticket, name="ticket"),
    path("<str:key>/", views.register, name="register"),
]
