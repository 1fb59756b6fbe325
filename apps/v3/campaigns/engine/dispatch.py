"""The dispatcher beat runs: start what is due, pick A/B winners, start resends, requeue lost runs.

Every function takes ``now`` so tests (and a late beat) decide what time it is. Each start locks
its row and re-checks it, so two dispatchers running at once start everything exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.utils.log import get_task_logger
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef

from apps.v3.campaigns.engine import runs
from apps.v3.campaigns.models import (
    ABTest,
    ActivityRole,
    ActivityStatus,
    CampaignActivity,
    EventKind,
    NonOpenerResend,
    Send,
    SendRun,
    SendRunState,
    TrackingEvent,
)

logger = get_task_logger(__name__)

# A resend activity in these has been started (or removed): the dispatcher leaves it alone.
STARTED = (ActivityStatus.EXECUTING, ActivityStatus.DONE, ActivityStatus.ERROR, ActivityStatus.REMOVED)


@dataclass
class Dispatched:
    """What one pass did, as row ids: runs started, A/B winners chosen, runs requeued."""

    started: list[int] = field(default_factory=list)
    winners: list[int] = field(default_factory=list)
    resends: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)


def dispatch(now: datetime) -> Dispatched:
    """One pass over everything time-driven in the engine."""
    done = Dispatched()
    due = CampaignActivity.objects.filter(
        role=ActivityRole.PRIMARY_EMAIL, current_status=ActivityStatus.SCHEDULED, scheduled_date__lte=now
    )
    for pk in due.order_by("scheduled_date", "pk").values_list("pk", flat=True):
        if (run := start_scheduled(pk, now)) is not None:
            done.started.append(run.pk)
    for abtest_pk in due_winners(now):
        if (run := pick_winner(abtest_pk, now)) is not None:
            done.winners.append(run.pk)
    for resend_pk in due_resends(now):
        if (run := start_resend(resend_pk, now)) is not None:
            done.resends.append(run.pk)
    done.requeued = runs.requeue_stale(now)
    return done


def start_scheduled(activity_pk: int, now: datetime) -> SendRun | None:
    """Start a SCHEDULED primary email whose date has come; None if it is not (or no longer) due.

    With an A/B test not yet sent, the run mails the two samples; with a winner already chosen
    (a DONE A/B activity scheduled again), the new contacts get the winner's subject.
    """
    with transaction.atomic():
        activity = (
            CampaignActivity.objects.select_for_update()
            .select_related("campaign")
            .filter(pk=activity_pk, current_status=ActivityStatus.SCHEDULED, scheduled_date__lte=now)
            .first()
        )
        if activity is None:
            return None
        abtest = ABTest.objects.filter(activity=activity).first()
        if abtest is not None and not abtest.winner:
            return runs.start_run(activity, now, phase=runs.TEST_PHASE)
        return runs.start_run(activity, now, variant=abtest.winner if abtest is not None else "")


def due_winners(now: datetime) -> list[int]:
    """A/B tests whose samples were mailed ``winner_wait_duration`` hours ago or more, no winner yet."""
    waiting = ABTest.objects.filter(
        winner="", test_sent_at__isnull=False, activity__current_status=ActivityStatus.EXECUTING
    )
    return [
        pk
        for pk, sent_at, hours in waiting.values_list("pk", "test_sent_at", "winner_wait_duration")
        if sent_at is not None and sent_at + timedelta(hours=hours) <= now
    ]


def unique_opens(activity: CampaignActivity) -> dict[str, int]:
    """Contacts of each sample (Send.variant) who opened their copy at least once."""
    opened = TrackingEvent.objects.filter(activity=activity, contact=OuterRef("contact_id"), kind=EventKind.OPEN)
    rows = (
        Send.objects.filter(activity=activity, variant__in=["A", "B"])
        .filter(Exists(opened))
        .values("variant")
        .annotate(n=Count("contact_id", distinct=True))
    )
    return {row["variant"]: row["n"] for row in rows}


def pick_winner(abtest_pk: int, now: datetime) -> SendRun | None:
    """Choose the subject with more unique opens (a tie goes to A) and start mailing it to the rest."""
    with transaction.atomic():
        abtest = ABTest.objects.select_for_update().filter(pk=abtest_pk, winner="").first()
        if abtest is None:
            return None
        activity = CampaignActivity.objects.select_for_update().get(pk=abtest.activity_id)
        opens = unique_opens(activity)
        abtest.winner = "B" if opens.get("B", 0) > opens.get("A", 0) else "A"
        abtest.save(update_fields=["winner"])
        logger.info("A/B test of activity %s: %s wins (%s)", activity.pk, abtest.winner, opens)
        return runs.start_run(activity, now, phase=runs.REST_PHASE, variant=abtest.winner)


def due_resends(now: datetime) -> list[int]:
    """Resends whose primary email is DONE, not started yet, and whose ``resend_date`` has come.

    A resend without a date gets one here (the primary's last completed run plus the delay), in
    case the primary finished before the resend existed or before dates were set.
    """
    waiting = (
        NonOpenerResend.objects.filter(activity__current_status=ActivityStatus.DONE, resend__isnull=False)
        .exclude(resend__current_status__in=STARTED)
        .exclude(Exists(SendRun.objects.filter(activity=OuterRef("resend_id"))))
    )
    due = []
    for resend in waiting:
        if resend.resend_date is None:
            sent = SendRun.objects.filter(activity=resend.activity_id, state=SendRunState.COMPLETED).aggregate(
                last=Max("run_date")
            )["last"]
            if sent is None:
                continue
            resend.resend_date = sent + runs.delay_of(resend)
            resend.save(update_fields=["resend_date"])
        if resend.resend_date <= now:
            due.append(resend.pk)
    return due


def start_resend(resend_pk: int, now: datetime) -> SendRun | None:
    """Start mailing a due resend's activity to its primary's non-openers."""
    with transaction.atomic():
        resend = NonOpenerResend.objects.filter(pk=resend_pk, resend__isnull=False).first()
        if resend is None or resend.resend_id is None:
            return None
        activity = (
            CampaignActivity.objects.select_for_update()
            .select_related("campaign")
            .filter(pk=resend.resend_id)
            .exclude(current_status__in=STARTED)
            .first()
        )
        if activity is None or SendRun.objects.filter(activity=activity).exists():
            return None
        return runs.start_run(activity, now)
