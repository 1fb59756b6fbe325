"""Send runs: starting one for an activity, claiming it (lease + heartbeat), finishing it as history.

A run is one ``send_history`` entry. A worker claims it by a compare-and-set of ``lease_owner``
(the bulk activities' lease: the same tokens, staleness and dead-process checks), so a second
delivery of its task, or a re-enqueue by the dispatcher, never mails alongside the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.utils.log import get_task_logger
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.v3.bulk.runner import STALE_AFTER, new_token, owner_is_dead
from apps.v3.campaigns.engine.status import set_activity_status
from apps.v3.campaigns.models import (
    ABTest,
    ActivityRole,
    ActivityStatus,
    CampaignActivity,
    NonOpenerResend,
    Send,
    SendRun,
    SendRunState,
    SendStatus,
)
from ctctdash.celery import app

logger = get_task_logger(__name__)

UNFINISHED = (SendRunState.QUEUED, SendRunState.RUNNING)
# The Celery task that mails a run (tasks.py), sent by name so this module needs no import of it.
SEND_TASK = "v3.campaigns.send"
# A run nobody holds whose message is this old is enqueued again (its message may be lost).
REQUEUE_AFTER = timedelta(minutes=5)
# Claims before a run is given up as ERRORED: a run that kills its worker must not loop forever.
MAX_ATTEMPTS = 5

# send_history reason codes (the spec's list under retrieveEmailSendHistoryUsingGET).
SENT_OK = 0
SEND_FAILED = 1  # nothing could be sent
SEND_UNFINISHED = 6  # some contacts were mailed, not all
NO_ELIGIBLE = 12  # COMPLETED with a count of 0

# A/B test runs: the two samples first, then the winner to the rest.
TEST_PHASE, REST_PHASE = "test", "rest"


class LeaseLost(Exception):
    """Another worker took the run over; this one stops."""


@dataclass
class Claim:
    """A run held by this process, with the token that proves it."""

    run: SendRun
    token: str


def _lease_free(run: SendRun, now: datetime) -> bool:
    if not run.lease_owner:
        return True
    if run.heartbeat_at is None or run.heartbeat_at < now - STALE_AFTER:
        return True
    return owner_is_dead(run.lease_owner)


def enqueue(run_pk: int) -> None:
    """Send the run's task to the broker."""
    app.send_task(SEND_TASK, args=[run_pk])


def start_run(activity: CampaignActivity, now: datetime, *, phase: str = "", variant: str = "") -> SendRun:
    """A new run of ``activity`` (the next ``send_id``), the activity EXECUTING, its task enqueued on commit.

    Called inside a transaction that has locked the activity row, so two dispatchers never both start it.
    """
    last = SendRun.objects.filter(activity=activity).aggregate(n=Max("send_id"))["n"] or 0
    run = SendRun.objects.create(
        activity=activity,
        send_id=last + 1,
        contact_list_ids=[str(i) for i in activity.lists.values_list("list_id", flat=True)],
        segment_ids=list(activity.segments.values_list("pk", flat=True)),  # segment_id is the row id
        phase=phase,
        variant=variant,
        run_date=now,
    )
    if activity.current_status != ActivityStatus.EXECUTING:
        set_activity_status(activity, ActivityStatus.EXECUTING)
    transaction.on_commit(lambda: enqueue(run.pk))
    return run


def claim(run_pk: int) -> Claim | None:
    """Take the run's lease, or None when it is finished or a live worker holds it."""
    run = SendRun.objects.select_related("activity__campaign__account").filter(pk=run_pk).first()
    if run is None or run.state not in UNFINISHED:
        return None
    now = timezone.now()
    if not _lease_free(run, now):
        logger.info("send run %s is held by %s; leaving it", run.pk, run.lease_owner)
        return None
    if run.attempts >= MAX_ATTEMPTS:
        finish(run, SendRunState.ERRORED)
        return None
    token = new_token()
    taken = SendRun.objects.filter(
        pk=run.pk, state__in=UNFINISHED, lease_owner=run.lease_owner, heartbeat_at=run.heartbeat_at
    ).update(lease_owner=token, heartbeat_at=now, state=SendRunState.RUNNING, attempts=run.attempts + 1)
    if not taken:
        return None
    if run.lease_owner:
        logger.warning("send run %s taken over from %s", run.pk, run.lease_owner)
    run.refresh_from_db()
    return Claim(run, token)


def beat(claim: Claim, checkpoint: int | None = None, total: int | None = None) -> None:
    """Heartbeat (and the keyset checkpoint, the total); :class:`LeaseLost` if the run is no longer ours."""
    run = claim.run
    if checkpoint is not None:
        run.checkpoint = checkpoint
    if total is not None:
        run.total = total
    now = timezone.now()
    updated = SendRun.objects.filter(pk=run.pk, lease_owner=claim.token).update(
        checkpoint=run.checkpoint, total=run.total, heartbeat_at=now
    )
    if not updated:
        raise LeaseLost(f"send run {run.pk}: lease {claim.token} was taken over")
    run.heartbeat_at = now


def release(claim: Claim) -> None:
    """Give the lease back after an error, so the retry claims it at once.

    ``heartbeat_at`` of a free run is when it was last handed to the broker (see :func:`stale_runs`).
    """
    SendRun.objects.filter(pk=claim.run.pk, lease_owner=claim.token).update(
        lease_owner="", heartbeat_at=timezone.now(), state=SendRunState.QUEUED
    )


def finish(run: SendRun, state: str, *, token: str | None = None, now: datetime | None = None) -> bool:
    """End a run as its send_history entry and move its activity on; False if it was already finished.

    ``count`` is the copies the mail server accepted in this run, counted from the send rows (the
    facts), not from a counter a killed worker could have left behind. The reason code follows
    from the state and the count (docs/decisions/campaigns.md#send-history-reason-codes).
    """
    now = now or timezone.now()
    count = Send.objects.filter(run=run, status=SendStatus.SENT).count()
    attempted = Send.objects.filter(run=run).exists()
    if state == SendRunState.COMPLETED:
        reason = SENT_OK if attempted else NO_ELIGIBLE
    else:
        reason = SEND_UNFINISHED if attempted else SEND_FAILED
    with transaction.atomic():
        rows = SendRun.objects.filter(pk=run.pk, state__in=UNFINISHED)
        if token is not None:
            rows = rows.filter(lease_owner=token)
        if not rows.update(
            state=state,
            count=count,
            reason_code=reason,
            completed_at=now,
            run_date=run.run_date or now,
            lease_owner="",
            heartbeat_at=None,
        ):
            return False
        run.state, run.count, run.reason_code, run.completed_at = state, count, reason, now
        _after(run, now)
    return True


def _after(run: SendRun, now: datetime) -> None:
    """What a finished run means for its activity: DONE or ERROR, an A/B test's wait, resend dates."""
    activity = CampaignActivity.objects.select_for_update().get(pk=run.activity_id)
    if run.state == SendRunState.ERRORED:
        set_activity_status(activity, ActivityStatus.ERROR)
        return
    if run.phase == TEST_PHASE:
        # The winner's wait starts now; the activity keeps EXECUTING until the rest is mailed.
        ABTest.objects.filter(activity=activity, test_sent_at__isnull=True).update(test_sent_at=now)
        return
    if run.phase == REST_PHASE:
        ABTest.objects.filter(activity=activity).update(winner_sent_at=now)
    set_activity_status(activity, ActivityStatus.DONE)
    if activity.role == ActivityRole.PRIMARY_EMAIL:
        date_resends(activity, now)


def date_resends(primary: CampaignActivity, sent_at: datetime) -> int:
    """Give the primary's resends without a ``resend_date`` one: this send plus their delay."""
    dated = 0
    for resend in NonOpenerResend.objects.filter(activity=primary, resend_date__isnull=True):
        resend.resend_date = sent_at + delay_of(resend)
        resend.save(update_fields=["resend_date"])
        dated += 1
    return dated


def delay_of(resend: NonOpenerResend) -> timedelta:
    """The resend's delay: ``delay_days`` wins over ``delay_minutes``, as the spec says."""
    if resend.delay_days:
        return timedelta(days=resend.delay_days)
    return timedelta(minutes=resend.delay_minutes or 0)


def requeue_stale(now: datetime) -> list[int]:
    """Enqueue again every unfinished run no live worker holds; their row ids.

    A second message for one run is harmless: only one claim wins the lease.
    """
    pks = stale_runs(now)
    for pk in pks:
        SendRun.objects.filter(pk=pk, state__in=UNFINISHED, lease_owner="").update(heartbeat_at=now)
        enqueue(pk)
    if pks:
        logger.warning("re-enqueued %d send runs: %s", len(pks), pks)
    return pks


def stale_runs(now: datetime) -> list[int]:
    """Unfinished runs no live worker holds: a stale heartbeat, a dead local owner, or a lost message."""
    unfinished = SendRun.objects.filter(state__in=UNFINISHED)
    held_stale = ~Q(lease_owner="") & Q(heartbeat_at__lt=now - STALE_AFTER)
    # A free run's heartbeat_at is its last enqueue (a release, a requeue); a retry waiting out its
    # countdown is therefore left alone, and only a message lost for good is sent again.
    long_ago = now - REQUEUE_AFTER
    free_waiting = Q(lease_owner="") & (
        Q(heartbeat_at__lt=long_ago) | Q(heartbeat_at__isnull=True, created_at__lt=long_ago)
    )
    found = set(unfinished.filter(held_stale | free_waiting).values_list("pk", flat=True))
    held = unfinished.exclude(lease_owner="").values_list("pk", "lease_owner")
    found.update(pk for pk, owner in held if owner_is_dead(owner))
    return sorted(found)
