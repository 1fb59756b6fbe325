"""Response bodies of the Email Campaigns tag: campaigns, their activities, V2 cross-references."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse

from apps.v3.campaigns.models import ActivityRole, CampaignActivity, EmailCampaign
from apps.v3.contacts.serializers.contacts import iso, present


def campaign_summary(campaign: EmailCampaign) -> dict[str, Any]:
    """``EmailCampaigns``: a campaign as the listing shows it."""
    return present(
        campaign_id=str(campaign.campaign_id),
        created_at=iso(campaign.created_at),
        current_status=campaign.current_status,
        name=campaign.name,
        type=campaign.type,
        type_code=campaign.type_code,
        updated_at=iso(campaign.updated_at),
    )


def campaign_data(campaign: EmailCampaign, activities: Iterable[CampaignActivity]) -> dict[str, Any]:
    """``EmailCampaign``: the campaign and a reference to each of its activities."""
    references = [{"campaign_activity_id": str(a.campaign_activity_id), "role": a.role} for a in activities]
    return {**campaign_summary(campaign), "campaign_activities": references}


def campaigns_data(campaigns: Iterable[EmailCampaign], links: dict[str, Any]) -> dict[str, Any]:
    """``PagedEmailCampaignResponse``: the page and the next link."""
    return {"campaigns": [campaign_summary(c) for c in campaigns], **present(_links=links)}


def xrefs_data(rows: Iterable[tuple[str, Any, Any]]) -> dict[str, Any]:
    """``CrossReferenceResponse``."""
    return {
        "xrefs": [
            {"v2_email_campaign_id": v2, "campaign_id": str(campaign_id), "campaign_activity_id": str(activity_id)}
            for v2, campaign_id, activity_id in rows
        ]
    }


def permalink_url(permalink_id: Any) -> str:
    """The public page of the campaign's permalink activity (served under /m/)."""
    return settings.SITE_URL + reverse("v3-mail:permalink", args=[permalink_id])


def activity_data(activity: CampaignActivity, include: set[str], permalink_id: Any = None) -> dict[str, Any]:
    """``EmailCampaignActivity``; the sub-resources only when ``include`` names them."""
    body = present(
        campaign_activity_id=str(activity.campaign_activity_id),
        campaign_id=str(activity.campaign.campaign_id),
        role=activity.role,
        current_status=activity.current_status,
        format_type=activity.format_type,
        from_name=activity.from_name,
        from_email=activity.from_email,
        reply_to_email=activity.reply_to_email,
        subject=activity.subject,
        preheader=activity.preheader,
        template_id=activity.template_id,
    )
    if activity.role != ActivityRole.PERMALINK:
        # Recipients are the primary email's (a resend mails its non-openers; the permalink mails no one).
        body["contact_list_ids"] = [str(row.list_id) for row in activity.lists.all()]
        body["segment_ids"] = [row.pk for row in activity.segments.all()]
    if "html_content" in include:
        body.update(present(html_content=activity.html_content))
    if "physical_address_in_footer" in include and activity.physical_address_in_footer:
        body["physical_address_in_footer"] = activity.physical_address_in_footer
    if "document_properties" in include and activity.document_properties:
        body["document_properties"] = {"letter_format": "HTML", **activity.document_properties}
    if "permalink_url" in include and permalink_id is not None:
        body["permalink_url"] = permalink_url(permalink_id)
    return body
