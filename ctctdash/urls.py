"""Top-level routes: the V3 service under /v3/, its authorization server, the dashboard."""

from __future__ import annotations

from django.urls import include, path

from apps.accounts import views as account_views

urlpatterns = [
    path("v3/", include(("apps.v3.urls", "v3"), namespace="v3")),
    path("", include("apps.v3.oauth.urls")),
    path("v3-confirm/", include("apps.v3.confirm_urls")),
    path("m/", include("apps.v3.mail_urls")),
    path("e/", include("apps.v3.event_urls")),
    path("s/", include("apps.v3.sms_urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("contacts/", include("apps.contacts.urls")),
    path("jobs/", include("apps.jobs.urls")),
    path("campaigns/", include("apps.campaigns.urls")),
    path("reports/", include("apps.reporting.urls")),
    path("", account_views.home, name="home"),
]

handler404 = "ctctdash.errors.handler404"
handler500 = "ctctdash.errors.handler500"
