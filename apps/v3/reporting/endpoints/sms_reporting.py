"""SMS Reporting: the SMS campaign summaries report."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.http.paging import next_link, query_of
from apps.v3.reporting.endpoints.base import ReportingView
from apps.v3.reporting.serializers.sms_summaries import summaries_data
from apps.v3.reporting.services.sms_summaries import summaries_page, summaries_query


class SmsCampaignSummariesView(ReportingView):
    """``GET /reports/summary_reports/sms_campaign_summaries``: errors are ``StatsError`` objects."""

    operation_ids = {"get": "getAllBulkSmsCampaignSummaries"}

    def get(self, request: Request) -> Response:
        page = summaries_page(self.account, summaries_query(self.query()))
        return Response(summaries_data(page.rows, next_link(request.path, query_of(request), page.next_cursor)))
