"""Routes of the campaign pages (namespace ``campaigns``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "campaigns"

urlpatterns: list[URLPattern] = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<uuid:campaign_id>/", views.campaign_detail, name="detail"),
    path("<uuid:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<uuid:campaign_id>/test/", views.campaign_test_send, name="test_send"),
    path("<uuid:campaign_id>/send/", views.campaign_send, name="send"),
    path("<uuid:campaign_id>/unschedule/", views.campaign_unschedule, name="unschedule"),
]
