"""Landing Pages Reporting: opens, unique opens, unique clicks, adds, updates and SMS opt-ins of a landing page."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.http.paging import next_link, query_of
from apps.v3.reporting.endpoints.base import ReportingView
from apps.v3.reporting.serializers.landing_pages import report_data
from apps.v3.reporting.services import landing_pages as service


class LandingPageReportView(ReportingView):
    """One landing-page report; each subclass names its operation, the service says what it reads."""

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        page_id = service.find_page(self.account, self.path_id("campaign_activity_id", campaign_activity_id))
        query = self.query()
        limit = service.read_limit(request.query_params.get("limit"))
        text = service.read_filter(request.query_params.get("contacts_filter"))
        report = service.REPORTS[self.operation_id]
        page = service.report_page(self.account, page_id, report, text, limit, query.get("cursor"))
        href = next_link(request.path, query_of(request), page.next_cursor).get("next", {}).get("href", "")
        return Response(report_data(page_id, page.rows, report.tracking_activity_type, href))


class UniqueContactClicksView(LandingPageReportView):
    """``GET .../p_unique_contact_clicks``: one row per contact and link."""

    operation_ids = {"get": "getUniqueContactClicks"}


class UniqueContactOpensView(LandingPageReportView):
    """``GET .../p_unique_contact_opens``: one row per contact."""

    operation_ids = {"get": "getUniqueContactOpens"}


class ContactOpensView(LandingPageReportView):
    """``GET .../p_contact_opens``: every open."""

    operation_ids = {"get": "getContactOpens"}


class UniqueContactUpdatesView(LandingPageReportView):
    """``GET .../p_unique_contact_updates``."""

    operation_ids = {"get": "getUniqueContactUpdates"}


class UniqueContactAddsView(LandingPageReportView):
    """``GET .../p_unique_contact_adds``."""

    operation_ids = {"get": "getContactAdds"}


class UniqueContactSmsOptInsView(LandingPageReportView):
    """``GET .../p_unique_contact_sms_optins``."""

    operation_ids = {"get": "getUniqueContactSMSOptIns"}


# The path segment after ``campaign_details/{campaign_activity_id}/`` of each report.
ROUTES: dict[str, type[LandingPageReportView]] = {
    "p_unique_contact_clicks": UniqueContactClicksView,
    "p_unique_contact_opens": UniqueContactOpensView,
    "p_contact_opens": ContactOpensView,
    "p_unique_contact_updates": UniqueContactUpdatesView,
    "p_unique_contact_adds": UniqueContactAddsView,
    "p_unique_contact_sms_optins": UniqueContactSmsOptInsView,
}
