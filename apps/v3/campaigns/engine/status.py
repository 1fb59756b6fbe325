"""One place that moves an activity through its statuses, and its campaign's ``current_status`` with it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.v3.campaigns.models import ActivityRole, ActivityStatus, CampaignActivity, CampaignStatus, EmailCampaign

# The campaign's statuses are the primary email activity's, in title case (the spec's campaign
# resource spells them so); Removed belongs to delete, never to a status change of the activity.
CAMPAIGN_STATUS_OF: dict[str, str] = {
    ActivityStatus.DRAFT: CampaignStatus.DRAFT,
    ActivityStatus.SCHEDULED: CampaignStatus.SCHEDULED,
    ActivityStatus.EXECUTING: CampaignStatus.EXECUTING,
    ActivityStatus.DONE: CampaignStatus.DONE,
    ActivityStatus.ERROR: CampaignStatus.ERROR,
}


def set_activity_status(activity: CampaignActivity, status: str, *, prior: str | None = None) -> None:
    """Set ``activity``'s ``current_status`` (and ``prior_status`` when ``prior`` is given) and save both.

    For the primary email, the campaign's ``current_status`` follows in the same transaction, unless
    the campaign is Removed (a deleted campaign stays Removed whatever its activity still does).
    """
    if status not in ActivityStatus.values:
        raise ValueError(f"unknown activity status {status!r}")
    fields = ["current_status", "updated_at"]
    activity.current_status = status
    if prior is not None:
        activity.prior_status = prior
        fields.append("prior_status")
    with transaction.atomic():
        activity.save(update_fields=fields)
        if activity.role == ActivityRole.PRIMARY_EMAIL and status in CAMPAIGN_STATUS_OF:
            EmailCampaign.objects.filter(pk=activity.campaign_id).exclude(current_status=CampaignStatus.REMOVED).update(
                current_status=CAMPAIGN_STATUS_OF[status], updated_at=timezone.now()
            )
