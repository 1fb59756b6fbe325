"""Contacts Reporting: a contact's activity details, average open and click rates, and activity summary."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.http.paging import next_link, query_of
from apps.v3.reporting.endpoints.base import ReportingView
from apps.v3.reporting.serializers.contacts_reporting import activity_details_data, rates_data, summary_data
from apps.v3.reporting.services import contacts_reporting as service


class ContactActivityDetailsView(ReportingView):
    """``GET /reports/contact_reports/{contact_id}/activity_details``."""

    operation_ids = {"get": "getContactTracking"}

    def get(self, request: Request, contact_id: str) -> Response:
        # The contact first: another account's id is a 404 whatever the query says.
        contact = service.find_contact(self.account, self.path_id("contact_id", contact_id))
        # ``limit`` is a string with a ``maximum``, which the shared reader takes for a count of ids: read here.
        params = request.query_params.copy()
        params.pop("limit", None)
        query = self.query(params)
        types = service.read_tracking_types(request.query_params)
        limit = service.read_limit(request.query_params.get("limit"), service.MAX_LIMIT, service.MAX_LIMIT)
        rows, cursor = service.activity_details(self.account, contact, types, limit, query.get("cursor"))
        names = service.activity_names(self.account, rows) if query["include_campaign_activity_names"] else None
        links = next_link(request.path, query_of(request), cursor)
        return Response(activity_details_data(contact, rows, names, links))


class ContactOpenClickRatesView(ReportingView):
    """``GET /reports/contact_reports/{contact_id}/open_and_click_rates``."""

    operation_ids = {"get": "getContactOpenClickRate"}

    def get(self, request: Request, contact_id: str) -> Response:
        contact = service.find_contact(self.account, self.path_id("contact_id", contact_id))
        self.query()
        start, end = service.read_range(request.query_params, max_years=service.MAX_YEARS)
        return Response(rates_data(contact, service.open_and_click_rates(self.account, contact, start, end)))


class ContactActivitySummaryView(ReportingView):
    """``GET /reports/contact_reports/{contact_id}/activity_summary``."""

    operation_ids = {"get": "getContactTrackingCount"}

    def get(self, request: Request, contact_id: str) -> Response:
        contact = service.find_contact(self.account, self.path_id("contact_id", contact_id))
        self.query()
        start, end = service.read_range(request.query_params, max_years=None)
        return Response(summary_data(contact, service.activity_summary(self.account, contact, start, end)))
