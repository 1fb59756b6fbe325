"""Links mailed by the V3 service and followed in a browser, outside the ``/v3/`` API."""

from __future__ import annotations

from django.urls import path

from apps.v3 import confirm_views
from apps.v3.account import endpoints as account_services

app_name = "v3-confirm"

urlpatterns = [
    path("email/<str:token>", account_services.confirm_account_email, name="email"),
    path("resubscribe/<str:token>", confirm_views.confirm_resubscribe, name="resubscribe"),
]
