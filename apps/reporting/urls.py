"""Routes of the reports pages (namespace ``reporting``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "reporting"

urlpatterns: list[URLPattern] = [
    path("", views.report_list, name="list"),
    path("campaigns/<uuid:campaign_id>/", views.campaign_report, name="campaign"),
]
