"""Email Scheduling: schedule and unschedule a primary email, read its schedule and its send history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.v3.account.models import Account
from apps.v3.campaigns.engine.dispatch import start_scheduled
from apps.v3.campaigns.engine.status import set_activity_status
from apps.v3.campaigns.models import ActivityRole, ActivityStatus, CampaignActivity, SendRun, SendRunState
from apps.v3.campaigns.services.activities import find_activity
from apps.v3.gate.errors import bad_request

# The statuses a primary email may be scheduled from, as the operation lists them. The operation
# declares no 409, so another status is a 400 (docs/decisions/campaigns.md#scheduling-refusals).
SCHEDULABLE = (ActivityStatus.DRAFT, ActivityStatus.DONE, ActivityStatus.ERROR)
NOW = "0"


def scheduled_date(raw: str, now: datetime) -> datetime | None:
    """``scheduled_date`` of the body: None for ``"0"`` (now), else an aware date-time in the future.

    A date alone means its midnight UTC; a date-time without an offset is UTC
    (docs/decisions/campaigns.md#scheduled-date).
    """
    if raw.strip() == NOW:
        return None
    try:
        value = parse_datetime(raw.strip())
        if value is None and (day := parse_date(raw.strip())) is not None:
            value = datetime.combine(day, time(), tzinfo=UTC)
    except ValueError:
        value = None
    if value is None:
        raise bad_request(f'scheduled_date: {raw!r} is not an ISO-8601 date-time, a date, or "0" for now')
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    if value <= now:
        raise bad_request(f'scheduled_date: {raw!r} is in the past; use "0" to send now')
    return value


def _check_schedulable(activity: CampaignActivity) -> None:
    if activity.role != ActivityRole.PRIMARY_EMAIL:
        raise bad_request(f"campaign_activity_id: only primary_email activities are scheduled, not {activity.role}")
    if activity.current_status not in SCHEDULABLE:
        raise bad_request(
            f"current_status: a {activity.current_status} activity cannot be scheduled; "
            f"only {', '.join(SCHEDULABLE)} ones can"
        )
    if not activity.lists.filter(deleted_at__isnull=True).exists() and not activity.segments.exists():
        raise bad_request("contact_list_ids, segment_ids: the activity has no recipients; add lists or a segment first")


def schedule_activity(
    account: Account, campaign_activity_id: Any, body: Mapping[str, Any], now: datetime | None = None
) -> CampaignActivity:
    """Schedule the primary email for ``scheduled_date``; ``"0"`` starts its send at once.

    The status it leaves becomes ``prior_status``, which unscheduling restores.
    """
    now = now or timezone.now()
    raw = body["scheduled_date"]
    with transaction.atomic():
        activity = find_activity(account, campaign_activity_id, lock=True)
        _check_schedulable(activity)
        when = scheduled_date(raw, now)
        activity.scheduled_date = when or now
        activity.save(update_fields=["scheduled_date", "updated_at"])
        set_activity_status(activity, ActivityStatus.SCHEDULED, prior=str(activity.current_status))
        if when is None:
            start_scheduled(activity.pk, now)
            activity.refresh_from_db()
    return activity


def unschedule_activity(account: Account, campaign_activity_id: Any) -> CampaignActivity:
    """Back to the status it had before scheduling; 400 unless it is SCHEDULED (no 409 is declared)."""
    with transaction.atomic():
        activity = find_activity(account, campaign_activity_id, lock=True)
        if activity.current_status != ActivityStatus.SCHEDULED:
            raise bad_request(
                f"current_status: only a SCHEDULED activity can be unscheduled, not {activity.current_status}"
            )
        activity.scheduled_date = None
        activity.save(update_fields=["scheduled_date", "updated_at"])
        set_activity_status(activity, activity.prior_status or ActivityStatus.DRAFT, prior="")
    return activity


def schedules(account: Account, campaign_activity_id: Any) -> list[datetime]:
    """The activity's schedule: its date while SCHEDULED, else nothing."""
    activity = find_activity(account, campaign_activity_id)
    if activity.current_status == ActivityStatus.SCHEDULED and activity.scheduled_date is not None:
        return [activity.scheduled_date]
    return []


def send_history(account: Account, campaign_activity_id: Any) -> QuerySet[SendRun]:
    """The activity's finished runs, first first (a run still mailing joins once it ends)."""
    activity = find_activity(account, campaign_activity_id)
    finished = (SendRunState.COMPLETED, SendRunState.ERRORED)
    return SendRun.objects.filter(activity=activity, state__in=finished).order_by("send_id")
