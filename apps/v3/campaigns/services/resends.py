"""Resends to non-openers: one per campaign, stored with its own resend activity for the engine to send."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max

from apps.v3.account.models import Account
from apps.v3.campaigns.models import (
    ActivityRole,
    ActivityStatus,
    CampaignActivity,
    NonOpenerResend,
    SendRun,
    SendRunState,
)
from apps.v3.campaigns.services import content
from apps.v3.campaigns.services.activities import find_primary
from apps.v3.campaigns.services.campaigns import touch
from apps.v3.gate.errors import bad_request, conflict, not_found

MINUTES_PER_DAY = 1440
MIN_DAYS, MAX_DAYS = 1, 10
MIN_MINUTES, MAX_MINUTES = 720, 10 * MINUTES_PER_DAY
# The primary email's statuses a resend may be created in, as the operation lists them.
RESENDABLE = (ActivityStatus.DRAFT, ActivityStatus.SCHEDULED, ActivityStatus.DONE)
# A resend whose activity reached these has been (or is being) sent: it can no longer be deleted.
SENT = (ActivityStatus.EXECUTING, ActivityStatus.DONE, ActivityStatus.ERROR)
# The id the spec gives a resend while its primary email is still a draft.
DRAFT_ID = "DRAFT"


def resends_of(primary: CampaignActivity) -> list[NonOpenerResend]:
    """The primary email's resend requests (at most one), with their activities."""
    return list(NonOpenerResend.objects.filter(activity=primary).select_related("resend", "activity"))


def is_draft(resend: NonOpenerResend) -> bool:
    """A resend is a draft while its primary email is (docs/decisions/campaigns.md#resend-request-ids)."""
    return resend.activity.current_status == ActivityStatus.DRAFT


def resend_status(resend: NonOpenerResend) -> str | None:
    """Reported once the resend is scheduled or sent; None while it is a draft."""
    if resend.resend is not None and resend.resend.current_status in SENT:
        return str(resend.resend.current_status)
    if resend.resend_status:
        return resend.resend_status  # what the engine last wrote
    return None if is_draft(resend) else str(ActivityStatus.SCHEDULED)


def _delay_minutes(body: Mapping[str, Any]) -> int:
    """The delay in minutes: ``delay_days`` when given (``delay_minutes`` is then ignored, as the spec says)."""
    days, minutes = body.get("delay_days"), body.get("delay_minutes")
    if days is not None:
        if not MIN_DAYS <= days <= MAX_DAYS:
            raise bad_request(f"delay_days: must be from {MIN_DAYS} to {MAX_DAYS}")
        return int(days) * MINUTES_PER_DAY
    if minutes is not None:
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise bad_request(f"delay_minutes: must be from {MIN_MINUTES} to {MAX_MINUTES}")
        return int(minutes)
    raise bad_request("delay_days, delay_minutes: one of them is required")


def _last_run_date(primary: CampaignActivity) -> Any:
    """When the primary email's last completed run went out (the engine dates resends the same way)."""
    runs = SendRun.objects.filter(activity=primary, state=SendRunState.COMPLETED, run_date__isnull=False)
    return runs.aggregate(last=Max("run_date"))["last"]


def create_resend(account: Account, campaign_activity_id: Any, body: Mapping[str, Any]) -> NonOpenerResend:
    """A resend of the primary email to its non-openers, with its DRAFT resend activity.

    409 when the campaign already has one or the primary email is in a status the spec does
    not list. Its ``resend_date`` is known now if the primary email was already sent (its last
    run plus the delay); otherwise the engine sets it when it sends the primary email.
    """
    if not isinstance(body, Mapping):
        # The spec's ResendToNonOpenersInput declares no type, so its schema lets any JSON value through.
        raise bad_request("body: must be a JSON object")
    subject = content.text(body, "resend_subject", required=True)
    delay = _delay_minutes(body)
    with transaction.atomic():
        # The primary's row lock makes "one per campaign" hold for two requests at once.
        primary = find_primary(account, campaign_activity_id, lock=True)
        if primary.current_status not in RESENDABLE:
            raise conflict(f"current_status: a {primary.current_status} activity cannot be resent to non-openers")
        if CampaignActivity.objects.filter(campaign=primary.campaign, role=ActivityRole.RESEND).exists():
            raise conflict("This email campaign already has a resend to non-openers; only one is allowed.")
        copy = CampaignActivity(campaign=primary.campaign, role=ActivityRole.RESEND, resend_of=primary, subject=subject)
        content.mirror(primary, [copy])
        copy.save()
        last_run = _last_run_date(primary) if primary.current_status == ActivityStatus.DONE else None
        resend = NonOpenerResend.objects.create(
            activity=primary,
            resend=copy,
            resend_subject=subject,
            delay_minutes=delay,
            delay_days=delay // MINUTES_PER_DAY if delay % MINUTES_PER_DAY == 0 else None,
            resend_date=last_run + timedelta(minutes=delay) if last_run else None,
        )
        touch(primary.campaign)
    return resend


def _resend_id(raw: str) -> uuid.UUID | None:
    """A UUID, or None for ``DRAFT`` (path_resend_id already refused anything else)."""
    return None if raw.upper() == DRAFT_ID else uuid.UUID(raw)


def delete_resend(account: Account, campaign_activity_id: Any, resend_request_id: str) -> None:
    """Delete (unschedule) the resend and its activity; 409 once it has been sent, 404 when unknown.

    ``DRAFT`` names the campaign's resend while it is a draft.
    """
    wanted = _resend_id(resend_request_id)
    with transaction.atomic():
        primary = find_primary(account, campaign_activity_id, lock=True)
        found = [
            resend
            for resend in resends_of(primary)
            if (resend.resend_request_id == wanted if wanted is not None else is_draft(resend))
        ]
        if not found:
            raise not_found(f"No resend to non-openers {resend_request_id} of activity {campaign_activity_id}.")
        resend = found[0]
        sent = resend.resend is not None and (resend.resend.current_status in SENT or resend.resend.runs.exists())
        if sent:
            raise conflict("This resend to non-openers has already been sent; it cannot be deleted.")
        if resend.resend is not None:
            resend.resend.delete()
        resend.delete()
        touch(primary.campaign)


def path_resend_id(raw: str) -> str:
    """``resend_request_id`` from the path: a UUID or ``DRAFT``; anything else is a 400."""
    if raw.upper() != DRAFT_ID:
        try:
            uuid.UUID(raw)
        except ValueError:
            raise bad_request(f"resend_request_id: {raw!r} is not a UUID or DRAFT") from None
    return raw
