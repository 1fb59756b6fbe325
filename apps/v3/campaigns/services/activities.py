"""Email campaign activities: find one in the account, and update the primary email's content and recipients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from apps.v3.account.models import Account
from apps.v3.campaigns.models import ActivityRole, ActivityStatus, CampaignActivity
from apps.v3.campaigns.services import content
from apps.v3.campaigns.services.campaigns import touch
from apps.v3.gate.errors import bad_request, not_found

# PUT takes the primary email in these statuses only; the operation declares no 409, so others are 400s.
EDITABLE = (ActivityStatus.DRAFT, ActivityStatus.DONE)
# document_properties the caller may set (letter_format is read-only).
DOCUMENT_PROPERTIES = (
    "style_content",
    "greeting_salutation",
    "greeting_name_type",
    "greeting_secondary",
    "subscribe_link_enabled",
    "subscribe_link_name",
    "text_content",
    "permission_reminder_enabled",
    "permission_reminder",
    "view_as_webpage_enabled",
    "view_as_webpage_text",
    "view_as_webpage_link_name",
    "forward_email_link_enabled",
    "forward_email_link_name",
)
# The optional parts GET answers when ``include`` names them.
INCLUDABLE = ("physical_address_in_footer", "permalink_url", "html_content", "document_properties")
MAX_DOCUMENT_PROPERTY = 150_000  # the largest the spec allows any of them (style_content, text_content)


def account_activities(account: Account) -> Any:
    """The account's activities that are not REMOVED (the spec hides those), with their campaign."""
    return (
        CampaignActivity.objects.filter(campaign__account=account)
        .exclude(current_status=ActivityStatus.REMOVED)
        .select_related("campaign")
    )


def find_activity(account: Account, campaign_activity_id: Any, *, lock: bool = False) -> CampaignActivity:
    """The account's activity with this id; 404 when there is none or it is REMOVED."""
    rows = account_activities(account)
    if lock:
        rows = rows.select_for_update(of=("self",))
    activity = rows.filter(campaign_activity_id=campaign_activity_id).first()
    if activity is None:
        raise not_found(f"No email campaign activity {campaign_activity_id} in this account.")
    return activity


def find_primary(account: Account, campaign_activity_id: Any, *, lock: bool = False) -> CampaignActivity:
    """The account's primary email activity with this id: what A/B tests and resends hang off.

    Another role's id names no primary email, so it is a 404 like an unknown id
    (docs/decisions/campaigns.md#a-b-tests-and-resends-name-the-primary-email).
    """
    activity = find_activity(account, campaign_activity_id, lock=lock)
    if activity.role != ActivityRole.PRIMARY_EMAIL:
        raise not_found(f"{campaign_activity_id} is a {activity.role} activity, not a primary email activity.")
    return activity


def check_include(include: list[str] | None) -> set[str]:
    """The optional parts asked for by ``include`` (the parser checked each against the enum)."""
    return set(include or [])


def _document_properties(given: Mapping[str, Any], base: Mapping[str, Any] | None) -> dict[str, str]:
    """``given`` over ``base`` property by property (the spec keeps omitted properties of a sub-resource)."""
    merged = dict(base or {})
    for key in DOCUMENT_PROPERTIES:
        if key in given:
            if len(given[key]) > MAX_DOCUMENT_PROPERTY:
                raise bad_request(f"document_properties.{key}: longer than {MAX_DOCUMENT_PROPERTY} characters")
            merged[key] = given[key]
    return merged


def update_activity(account: Account, campaign_activity_id: Any, body: Mapping[str, Any]) -> CampaignActivity:
    """``PUT``: the body replaces the activity's properties; omitted sub-resources (and their properties) stay.

    Properties left out are cleared (preheader, the recipients); ``html_content``,
    ``physical_address_in_footer`` and ``document_properties`` are kept when left out, and the
    last two merge property by property (docs/decisions/campaigns.md#put-activity-keeps-sub-resources).
    Read-only properties in the body are ignored. The permalink and a draft resend follow the
    primary email's content.
    """
    with transaction.atomic():
        activity = find_activity(account, campaign_activity_id, lock=True)
        if activity.role != ActivityRole.PRIMARY_EMAIL:
            raise bad_request(f"role: only primary_email activities can be updated; this one is {activity.role}")
        if activity.current_status not in EDITABLE:
            raise bad_request(
                f"current_status: only DRAFT or DONE activities can be updated; this one is {activity.current_status}"
            )
        activity.from_name = content.text(body, "from_name", content.MAX_FROM_NAME, required=True)
        activity.from_email = content.sender(account, body, "from_email")
        activity.reply_to_email = content.sender(account, body, "reply_to_email")
        activity.subject = content.text(body, "subject", required=True)
        activity.preheader = content.text(body, "preheader", content.MAX_PREHEADER)
        lists, segments = content.recipients(account, body)
        if "html_content" in body:
            activity.html_content = content.html_content(body["html_content"])
        if "physical_address_in_footer" in body:
            activity.physical_address_in_footer = content.footer(
                body["physical_address_in_footer"], activity.physical_address_in_footer
            )
        if "document_properties" in body:
            activity.document_properties = _document_properties(
                body["document_properties"], activity.document_properties
            )
        activity.save()
        activity.lists.set(lists)
        activity.segments.set(segments)
        copies = list(
            activity.campaign.activities.filter(role=ActivityRole.PERMALINK)
            | activity.resends.filter(current_status=ActivityStatus.DRAFT)
        )
        content.mirror(activity, copies)
        CampaignActivity.objects.bulk_update(copies, [*content.CONTENT_FIELDS, "subject"])
        touch(activity.campaign)
    return activity
