"""Email Campaigns AB Tests: an A/B test of a primary email's subject line."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.campaigns.serializers.options import abtest_data
from apps.v3.campaigns.services import abtests as service
from apps.v3.http.base import V3View


class ABTestView(V3View):
    """``GET``, ``POST`` and ``DELETE /emails/activities/{campaign_activity_id}/abtest``."""

    operation_ids = {
        "get": "retrieveEmailCampaignABTestUsingGET",
        "post": "createEmailCampaignABTestUsingPOST",
        "delete": "deleteEmailCampaignABTestUsingDELETE",
    }

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        wanted = self.path_id("campaign_activity_id", campaign_activity_id)
        return Response(abtest_data(service.find_abtest(self.account, wanted)))

    def post(self, request: Request, campaign_activity_id: str) -> Response:
        wanted = self.path_id("campaign_activity_id", campaign_activity_id)
        abtest = service.create_abtest(self.account, wanted, self.body())
        return Response(abtest_data(abtest), status=status.HTTP_201_CREATED)

    def delete(self, request: Request, campaign_activity_id: str) -> Response:
        service.delete_abtest(self.account, self.path_id("campaign_activity_id", campaign_activity_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
