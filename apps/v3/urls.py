"""Routes of the V3 service under ``/v3/``, grouped by spec tag."""

from __future__ import annotations

from django.urls import path

from .endpoints import account_services, meta

urlpatterns = [
    path("swagger.json", meta.swagger_json, name="swagger-json"),
    # Account Services
    path("account/user/privileges", account_services.UserPrivilegesView.as_view()),
    path("account/summary", account_services.AccountSummaryView.as_view()),
    path("account/summary/physical_address", account_services.PhysicalAddressView.as_view()),
    path("account/emails", account_services.AccountEmailsView.as_view()),
]
