"""Email Campaigns: campaigns, their activities, V2 cross-references and resends to non-openers."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.campaigns.models import ActivityRole, CampaignActivity
from apps.v3.campaigns.serializers.campaigns import activity_data, campaign_data, campaigns_data, xrefs_data
from apps.v3.campaigns.serializers.options import resend_data
from apps.v3.campaigns.services import activities, resends
from apps.v3.campaigns.services import campaigns as service
from apps.v3.http.base import V3View
from apps.v3.http.paging import keyset_page, next_link, query_of

# Newest changes first; the row id breaks ties so the keyset is unique.
ORDER = ("-updated_at", "-pk")


class EmailCampaignsView(V3View):
    """``GET`` and ``POST /emails``."""

    operation_ids = {"get": "retrieveEmailCampaignsUsingGET", "post": "createEmailCampaignUsingPOST"}

    def get(self, request: Request) -> Response:
        query = self.query()
        limit = service.check_limit(query["limit"])
        page = keyset_page(service.listed_campaigns(self.account, query), limit, query.get("cursor"), ORDER)
        return Response(campaigns_data(page.rows, next_link(request.path, query_of(request), page.next_cursor)))

    def post(self, request: Request) -> Response:
        # 200, not 201: the spec's one create that answers so (SPEC-NOTES).
        campaign = service.create_campaign(self.account, self.body())
        return Response(campaign_data(campaign, service.activity_references(campaign)))


class EmailCampaignView(V3View):
    """``GET``, ``PATCH`` (rename) and ``DELETE /emails/{campaign_id}``."""

    operation_ids = {
        "get": "retrieveEmailCampaignUsingGET",
        "patch": "renameEmailCampaignUsingPATCH",
        "delete": "removeEmailCampaignUsingDELETE",
    }

    def get(self, request: Request, campaign_id: str) -> Response:
        campaign = service.find_campaign(self.account, self.path_id("campaign_id", campaign_id))
        return Response(campaign_data(campaign, service.activity_references(campaign)))

    def patch(self, request: Request, campaign_id: str) -> Response:
        wanted = self.path_id("campaign_id", campaign_id)
        campaign = service.rename_campaign(self.account, wanted, self.body())
        return Response(campaign_data(campaign, service.activity_references(campaign)))

    def delete(self, request: Request, campaign_id: str) -> Response:
        service.remove_campaign(self.account, self.path_id("campaign_id", campaign_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CampaignXrefsView(V3View):
    """``GET /emails/campaign_id_xrefs``: V2 campaign ids to V3 campaign and primary activity ids."""

    operation_ids = {"get": "retrieveXrefMappingsUsingGET"}

    def get(self, request: Request) -> Response:
        query = self.query()
        return Response(xrefs_data(service.xrefs(self.account, query["v2_email_campaign_ids"])))


def _permalink_id(activity: CampaignActivity) -> object:
    found = activity.campaign.activities.filter(role=ActivityRole.PERMALINK).values_list("campaign_activity_id")
    row = found.first()
    return row[0] if row else None


class EmailCampaignActivityView(V3View):
    """``GET`` and ``PUT /emails/activities/{campaign_activity_id}``."""

    operation_ids = {"get": "retrieveEmailCampaignActivityUsingGET", "put": "updateEmailCampaignActivityUsingPUT"}

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        wanted = self.path_id("campaign_activity_id", campaign_activity_id)
        include = activities.check_include(self.query().get("include"))
        activity = activities.find_activity(self.account, wanted)
        permalink = _permalink_id(activity) if "permalink_url" in include else None
        return Response(activity_data(activity, include, permalink))

    def put(self, request: Request, campaign_activity_id: str) -> Response:
        wanted = self.path_id("campaign_activity_id", campaign_activity_id)
        body = self.body()
        activity = activities.update_activity(self.account, wanted, body)
        # The body was the complete activity, so the answer is too: every part, as stored.
        return Response(activity_data(activity, set(activities.INCLUDABLE), _permalink_id(activity)))


class NonOpenerResendsView(V3View):
    """``GET`` and ``POST /emails/activities/{campaign_activity_id}/non_opener_resends``."""

    operation_ids = {"get": "retrieveResendToNonOpenersUsingGET", "post": "createResendToNonOpenersUsingPOST"}

    def get(self, request: Request, campaign_activity_id: str) -> Response:
        primary = activities.find_primary(self.account, self.path_id("campaign_activity_id", campaign_activity_id))
        rows = resends.resends_of(primary)
        return Response([resend_data(r, draft=resends.is_draft(r), status=resends.resend_status(r)) for r in rows])

    def post(self, request: Request, campaign_activity_id: str) -> Response:
        wanted = self.path_id("campaign_activity_id", campaign_activity_id)
        resend = resends.create_resend(self.account, wanted, self.body())
        return Response(
            resend_data(resend, draft=resends.is_draft(resend), status=None), status=status.HTTP_201_CREATED
        )


class NonOpenerResendView(V3View):
    """``DELETE /emails/activities/{campaign_activity_id}/non_opener_resends/{resend_request_id}``."""

    operation_ids = {"delete": "deleteResendToNonOpenersUsingDELETE"}

    def delete(self, request: Request, campaign_activity_id: str, resend_request_id: str) -> Response:
        wanted = self.path_id("campaign_activity_id", campaign_activity_id)
        resends.delete_resend(self.account, wanted, resends.path_resend_id(resend_request_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
