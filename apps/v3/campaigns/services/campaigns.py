"""Email Campaigns: create, list, read, rename and remove campaigns, and cross-reference V2 ids."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.campaigns.models import ActivityRole, ActivityStatus, CampaignActivity, CampaignStatus, EmailCampaign
from apps.v3.campaigns.services import content
from apps.v3.common.named import clean_name, rename, save_named
from apps.v3.contacts.services.checks import aware_utc
from apps.v3.gate.errors import V3Error, bad_request, conflict, not_found

MAX_LIMIT = 500
MAX_NAME = 80  # EmailCampaign.name's maxLength
MAX_XREFS = 50
# V2 campaign ids were 13-digit numbers; ours are this plus the row id, so they are unique
# without a counter to race for (docs/decisions/campaigns.md#v2-ids).
V2_ID_BASE = 1_100_000_000_000
# A campaign being sent cannot be removed (docs/decisions/campaigns.md#removing-a-campaign).
NOT_REMOVABLE = (CampaignStatus.SCHEDULED, CampaignStatus.EXECUTING)


def _name_conflict(name: str) -> V3Error:
    return conflict(f"name: an email campaign named {name!r} already exists")


def live_campaigns(account: Account) -> QuerySet[EmailCampaign]:
    """The account's campaigns that are not Removed: names are unique among these."""
    return EmailCampaign.objects.of(account).live()


def check_limit(limit: int) -> int:
    """``limit``: 1 to 500, as the operation states."""
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit: must be from 1 to {MAX_LIMIT}")
    return limit


def listed_campaigns(account: Account, query: Mapping[str, Any]) -> QuerySet[EmailCampaign]:
    """Every campaign of the account, Removed ones too (the spec lists them), by ``updated_at`` window.

    docs/decisions/campaigns.md#removed-campaigns-are-listed
    """
    after: datetime | None = query.get("after_date")
    before: datetime | None = query.get("before_date")
    # An offset can push a date at the calendar's edge out of it; the database would fail on that.
    after = aware_utc(after, "after_date") if after is not None else None
    before = aware_utc(before, "before_date") if before is not None else None
    if after is not None and before is not None and after >= before:
        raise bad_request("after_date: must be earlier than before_date")
    campaigns = EmailCampaign.objects.of(account)
    if after is not None:
        campaigns = campaigns.filter(updated_at__gt=after)
    if before is not None:
        campaigns = campaigns.filter(updated_at__lt=before)
    return campaigns


def find_campaign(account: Account, campaign_id: Any) -> EmailCampaign:
    """The account's campaign with this id, Removed or not; 404 otherwise."""
    campaign = EmailCampaign.objects.of(account).filter(campaign_id=campaign_id).first()
    if campaign is None:
        raise not_found(f"No email campaign {campaign_id} in this account.")
    return campaign


def activity_references(campaign: EmailCampaign) -> list[CampaignActivity]:
    """The campaign's activities: the primary email, its permalink, then any resend."""
    order = {ActivityRole.PRIMARY_EMAIL: 0, ActivityRole.PERMALINK: 1, ActivityRole.RESEND: 2}
    rows = list(campaign.activities.only("campaign_activity_id", "role", "pk"))
    return sorted(rows, key=lambda row: (order.get(ActivityRole(row.role), 3), row.pk))


def _activity_values(account: Account, body: Mapping[str, Any]) -> dict[str, Any]:
    """The new primary email's content from an ``EmailCampaignActivityInput``, every rule checked."""
    given_footer = body.get("physical_address_in_footer")
    return {
        "format_type": content.format_type(body["format_type"]),
        "from_name": content.text(body, "from_name", content.MAX_FROM_NAME, required=True),
        "from_email": content.sender(account, body, "from_email"),
        "reply_to_email": content.sender(account, body, "reply_to_email"),
        "subject": content.text(body, "subject", required=True),
        "preheader": content.text(body, "preheader", content.MAX_PREHEADER),
        "html_content": content.html_content(body["html_content"]),
        "physical_address_in_footer": (
            content.footer(given_footer) if given_footer is not None else content.account_footer(account)
        ),
    }


def create_campaign(account: Account, body: Mapping[str, Any]) -> EmailCampaign:
    """A new Draft campaign with its primary email and permalink activities; 409 on a live name."""
    name = clean_name(body["name"], max_length=MAX_NAME)
    activities = body["email_campaign_activities"]
    if len(activities) != 1:
        raise bad_request(f"email_campaign_activities: must hold exactly 1 activity, got {len(activities)}")
    values = _activity_values(account, activities[0])
    with transaction.atomic():
        campaign = save_named(
            EmailCampaign(account=account, name=name), live_campaigns(account), lambda: _name_conflict(name)
        )
        campaign.v2_id = V2_ID_BASE + campaign.pk
        EmailCampaign.objects.filter(pk=campaign.pk).update(v2_id=campaign.v2_id)
        CampaignActivity.objects.bulk_create(
            [
                CampaignActivity(campaign=campaign, role=ActivityRole.PRIMARY_EMAIL, **values),
                CampaignActivity(campaign=campaign, role=ActivityRole.PERMALINK, **values),
            ]
        )
    return campaign


def rename_campaign(account: Account, campaign_id: Any, body: Mapping[str, Any]) -> EmailCampaign:
    """A new unique name; a Removed campaign cannot be renamed (409)."""
    name = clean_name(body["name"], max_length=MAX_NAME)
    with transaction.atomic():
        campaign = find_campaign(account, campaign_id)
        if campaign.current_status == CampaignStatus.REMOVED:
            raise conflict("current_status: a Removed email campaign cannot be renamed")
        return rename(campaign, name, live_campaigns(account), lambda: _name_conflict(name))


def remove_campaign(account: Account, campaign_id: Any) -> None:
    """Mark the campaign Removed and its activities REMOVED; refused while it is Scheduled or sending.

    The row stays (GET and the listing still show it, as the spec's Removed status says) and its
    name is free again. The status check and the change happen under the row's lock, so a
    schedule arriving at the same moment either comes first (and this is refused) or finds the
    activities REMOVED.
    """
    with transaction.atomic():
        campaign = EmailCampaign.objects.select_for_update().filter(account=account, campaign_id=campaign_id).first()
        if campaign is None or campaign.current_status == CampaignStatus.REMOVED:
            raise not_found(f"No email campaign {campaign_id} in this account.")
        if campaign.current_status in NOT_REMOVABLE:
            raise bad_request(
                f"current_status: a {campaign.current_status} email campaign cannot be deleted; unschedule it first",
                key="api.validation.error",
            )
        now = timezone.now()
        EmailCampaign.objects.filter(pk=campaign.pk).update(
            current_status=CampaignStatus.REMOVED, deleted_at=now, updated_at=now
        )
        campaign.activities.update(current_status=ActivityStatus.REMOVED, updated_at=now)


def xrefs(account: Account, v2_ids: list[str]) -> list[tuple[str, Any, Any]]:
    """(V2 id, campaign_id, primary email's campaign_activity_id) for the ids the account has, in the order asked."""
    if len(v2_ids) > MAX_XREFS:
        raise bad_request(f"v2_email_campaign_ids: at most {MAX_XREFS} ids are allowed, got {len(v2_ids)}")
    wanted: list[int] = []
    for raw in v2_ids:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise bad_request(f"v2_email_campaign_ids: {raw!r} is not a V2 campaign id")
        wanted.append(int(raw))
    primaries = CampaignActivity.objects.filter(
        campaign__account=account, campaign__v2_id__in=wanted, role=ActivityRole.PRIMARY_EMAIL
    ).values_list("campaign__v2_id", "campaign__campaign_id", "campaign_activity_id")
    found = {v2: (campaign_id, activity_id) for v2, campaign_id, activity_id in primaries}
    return [(str(v2), *found[v2]) for v2 in dict.fromkeys(wanted) if v2 in found]


def touch(campaign: EmailCampaign) -> None:
    """The campaign changed (an activity, its A/B test, its resend): it moves to the top of the listing."""
    EmailCampaign.objects.filter(pk=campaign.pk).update(updated_at=timezone.now())
