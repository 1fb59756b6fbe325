"""SMS Reporting: the SMS campaign summaries report."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.gate.errors import exception_handler
from apps.v3.http.base import V3View
from apps.v3.http.paging import next_link, query_of
from apps.v3.reporting.serializers.sms_summaries import summaries_data
from apps.v3.reporting.services.sms_summaries import summaries_page, summaries_query


def stats_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The reporting envelope: one ``StatsError`` object instead of the array (SPEC-NOTES, error bodies)."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, list) and response.data:
        response.data = response.data[0]
    return response


class SmsCampaignSummariesView(V3View):
    """``GET /reports/summary_reports/sms_campaign_summaries``."""

    operation_ids = {"get": "getAllBulkSmsCampaignSummaries"}

    def get_exception_handler(self) -> Any:
        return stats_exception_handler

    def get(self, request: Request) -> Response:
        page = summaries_page(self.account, summaries_query(self.query()))
        return Response(summaries_data(page.rows, next_link(request.path, query_of(request), page.next_cursor)))
