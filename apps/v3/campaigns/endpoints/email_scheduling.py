"""Email Scheduling: schedule and unschedule an activity, its send history, test sends and previews."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.campaigns.serializers.previews import preview_data
from apps.v3.campaigns.serializers.scheduling import schedule_data, send_history_data
from apps.v3.campaigns.services import scheduling, test_sends
from apps.v3.http.base import V3View


class SchedulesView(V3View):
    """``GET``, ``POST`` and ``DELETE /emails/activities/{campaign_activity_id}/schedules``."""

    operation_ids = {
        "get": "retrieveEmailSchedulesUsingGET",
        "post": "scheduleEmailCampaignActivityUsingPOST",
        "delete": "unscheduleEmailCampaignActivityUsingDELETE",
    }

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        activity_id = self.path_id("campaign_activity_id", campaign_activity_id)
        return Response(schedule_data(scheduling.schedules(self.account, activity_id)))

    def post(self, request: Request, campaign_activity_id: str) -> Response:
        activity_id = self.path_id("campaign_activity_id", campaign_activity_id)
        activity = scheduling.schedule_activity(self.account, activity_id, self.body())
        # Sent at once ("0"): the spec answers an empty schedule.
        dates = [activity.scheduled_date] if activity.current_status == "SCHEDULED" and activity.scheduled_date else []
        return Response(schedule_data(dates), status=status.HTTP_201_CREATED)

    def delete(self, request: Request, campaign_activity_id: str) -> Response:
        scheduling.unschedule_activity(self.account, self.path_id("campaign_activity_id", campaign_activity_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SendHistoryView(V3View):
    """``GET /emails/activities/{campaign_activity_id}/send_history``."""

    operation_ids = {"get": "retrieveEmailSendHistoryUsingGET"}

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        activity_id = self.path_id("campaign_activity_id", campaign_activity_id)
        return Response(send_history_data(scheduling.send_history(self.account, activity_id)))


class TestSendView(V3View):
    """``POST /emails/activities/{campaign_activity_id}/tests``: mail a test copy, at once (204)."""

    operation_ids = {"post": "testSendCampaignActivityUsingPOST"}

    def post(self, request: Request, campaign_activity_id: str) -> Response:
        activity_id = self.path_id("campaign_activity_id", campaign_activity_id)
        test_sends.send_test(self.account, activity_id, self.body())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreviewView(V3View):
    """``GET /emails/activities/{campaign_activity_id}/previews``: the copy as the account owner would get it."""

    operation_ids = {"get": "retrieveEmailCampaignActivityPreviewUsingGET"}

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        activity_id = self.path_id("campaign_activity_id", campaign_activity_id)
        return Response(preview_data(*test_sends.preview(self.account, activity_id)))
