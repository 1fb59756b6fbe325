"""A test-only URLconf: one view bound to a partner operation, to exercise the partner gate
before the Technology Partners endpoints exist. It answers with no body checks of its own."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.http.base import V3View


class PartnerProbe(V3View):
    operation_ids = {"get": "getPartnerSiteOwners"}

    def get(self, request: Request) -> Response:
        return Response({"partner": self.token.partner.name if self.token.partner else None})


urlpatterns = [
    path("v3/partner/accounts", PartnerProbe.as_view()),
    path("", include("ctctdash.urls")),
]
