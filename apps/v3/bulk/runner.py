"""Running a bulk activity: scheduling it, claiming it, committing batches with their checkpoint.

A worker process *claims* an activity by writing its lease token into ``lease_owner`` with a
compare-and-set update, so two deliveries of the same task (broker redelivery, a re-enqueue by
the sweep) never work on one activity at once. Every batch commits its effects, the counts, the
errors and the new ``checkpoint`` in one transaction whose last statement only succeeds while
the lease is still ours: a resumed run starts exactly after the last committed batch, and a run
that lost its lease rolls its batch back instead of applying it twice.

A lease can be taken over when it is free, when its heartbeat is older than :data:`STALE_AFTER`,
or at once when its owner was a process on this host that no longer exists (a killed worker
restarted on the same machine). :func:`requeue_stale` finds such activities; the worker runs it
when it starts and beat runs it every minute (see ``tasks.py``).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from celery.utils.log import get_task_logger
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.bulk.files import delete_files, storage_name
from apps.v3.bulk.models import UNFINISHED_STATES, Activity, ActivityState
from apps.v3.contacts.models import Contact
from apps.v3.gate.errors import V3Error
from ctctdash.celery import app

logger = get_task_logger(__name__)

# An account may have this many activities queued (not finished); the next POST answers 429.
MAX_QUEUED = 1_000
# A worker writes its heartbeat with every batch (well under a second apart); two minutes of
# silence means it is gone, long enough that a slow batch on a busy database is not mistaken for it.
STALE_AFTER = timedelta(minutes=2)
# An activity nobody holds (never started, or released after an error) is enqueued again when its
# last enqueue is this old: its message may have been lost with a broker that keeps none.
REQUEUE_AFTER = timedelta(minutes=10)
# Unfinished this long after creation, an activity is given up as timed out.
TIME_LIMIT = timedelta(hours=24)
# Claims before an activity is failed: a row that crashes the worker must not loop forever.
MAX_ATTEMPTS = 5
# Messages kept in activity_errors; the counts keep counting past it.
MAX_ERRORS = 1_000
# The Celery task that runs an activity (tasks.py), named so that scheduling needs no import of it.
PROCESS_TASK = "v3.activities.process"

Handler = Callable[["Job"], None]


class LeaseLost(Exception):
    """Another worker took the activity over; the current batch is rolled back."""


def new_token() -> str:
    """A lease token naming this process: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user holds that pid: alive
        return True
    return True


def owner_is_dead(owner: str) -> bool:
    """True when ``owner`` names a process on this host that has exited.

    Only this host's processes can be checked; elsewhere the heartbeat decides.
    """
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    return pid != os.getpid() and not _pid_alive(pid)


def lease_expired(activity: Activity, now: datetime) -> bool:
    """Whether a worker may take ``activity`` over now."""
    if not activity.lease_owner:
        return True
    if activity.heartbeat_at is None or activity.heartbeat_at < now - STALE_AFTER:
        return True
    return owner_is_dead(activity.lease_owner)


# ---------------------------------------------------------------------------------------------
# Scheduling


@dataclass
class Plan:
    """A checked request, ready to become an activity row (see :func:`schedule`)."""

    params: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    source_file_name: str = ""
    # name -> bytes saved to default storage beside the activity; params keeps the stored names.
    files: dict[str, bytes] = field(default_factory=dict)


def check_queue(account: Account) -> None:
    """429 when the account already has :data:`MAX_QUEUED` unfinished activities."""
    queued = Activity.objects.filter(account=account, state__in=UNFINISHED_STATES).count()
    if queued >= MAX_QUEUED:
        raise V3Error(
            429,
            "throttled",
            f"The account has {queued} queued activities; at most {MAX_QUEUED} may wait. Retry when some finish.",
        )


def schedule(account: Account, kind: str, plan: Plan) -> Activity:
    """Create the activity (429 past the queue limit) and enqueue its task once the row is committed."""
    with transaction.atomic():
        # Locking the account row makes the queue check and the insert one step per account.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        check_queue(account)
        now = timezone.now()
        activity = Activity(
            account=account,
            kind=kind,
            params=plan.params,
            activity_errors=plan.errors[:MAX_ERRORS],
            source_file_name=plan.source_file_name,
            enqueued_at=now,
            **plan.counts,
        )
        for name, content in plan.files.items():
            stored = default_storage.save(storage_name(activity, name), ContentFile(content))
            activity.params = {**activity.params, f"{name}_file": stored}
            if not activity.source_file:
                activity.source_file = stored
        activity.save()
        transaction.on_commit(lambda: enqueue(activity.pk))
    return activity


def enqueue(activity_pk: int) -> None:
    """Send the activity's task to the broker, by name: the task module imports this one, not the reverse."""
    app.send_task(PROCESS_TASK, args=[activity_pk])


# ---------------------------------------------------------------------------------------------
# Running


class Job:
    """A claimed activity: the handler's view of it while it holds the lease."""

    def __init__(self, activity: Activity, token: str) -> None:
        self.activity = activity
        self.token = token

    @property
    def params(self) -> dict[str, Any]:
        """The checked request the activity was created with."""
        return self.activity.params

    @property
    def checkpoint(self) -> int:
        """Work committed so far (rows done, or the last row id of a keyset walk)."""
        return self.activity.checkpoint

    def add_error(self, message: str) -> None:
        """Record one error message (kept up to :data:`MAX_ERRORS`)."""
        if len(self.activity.activity_errors) < MAX_ERRORS:
            self.activity.activity_errors.append(message)

    def add_errors(self, messages: Iterable[str]) -> None:
        """Record several error messages."""
        for message in messages:
            self.add_error(message)

    def increment(self, **counts: int) -> None:
        """Add to the status counts."""
        for name, n in counts.items():
            setattr(self.activity, name, (getattr(self.activity, name) or 0) + n)

    def set_progress(self, done: int, total: int) -> None:
        """``percent_done`` from work done; 100 is kept for the moment the activity completes."""
        self.activity.percent_done = min(99, 100 * done // total) if total else 0

    def save_progress(self, checkpoint: int | None = None) -> None:
        """Write progress, counts, errors and the checkpoint; raise :class:`LeaseLost` if not ours.

        Called inside the batch's transaction, so the batch's effects and this row commit together.
        """
        if checkpoint is not None:
            self.activity.checkpoint = checkpoint
        now = timezone.now()
        a = self.activity
        updated = Activity.objects.filter(pk=a.pk, lease_owner=self.token).update(
            checkpoint=a.checkpoint,
            percent_done=a.percent_done,
            activity_errors=a.activity_errors,
            items_total_count=a.items_total_count,
            items_completed_count=a.items_completed_count,
            person_count=a.person_count,
            error_count=a.error_count,
            correctable_count=a.correctable_count,
            cannot_add_to_list_count=a.cannot_add_to_list_count,
            list_count=a.list_count,
            result_file=a.result_file,
            heartbeat_at=now,
            updated_at=now,
        )
        if not updated:
            raise LeaseLost(f"activity {a.activity_id}: lease {self.token} was taken over")
        a.heartbeat_at = a.updated_at = now

    @contextmanager
    def batch(self, checkpoint: int | None = None) -> Iterator[None]:
        """One transaction holding a batch's writes and, last, the progress (and checkpoint) that records them."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The commit need not wait for the WAL flush: if the database server itself
                # crashed, it would lose this batch and its checkpoint together, and the
                # activity would redo it. Bulk work is several times faster for it.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
            self.save_progress(checkpoint)

    def beat(self) -> None:
        """Heartbeat between batches (e.g. during a long preparation)."""
        self.save_progress()


def claim(activity_pk: int) -> Job | None:
    """Take the activity's lease, or None when it is finished or another live worker holds it."""
    activity = Activity.objects.select_related("account").filter(pk=activity_pk).first()
    if activity is None or activity.state not in UNFINISHED_STATES:
        return None
    now = timezone.now()
    if not lease_expired(activity, now):
        logger.info("activity %s is held by %s; leaving it", activity.activity_id, activity.lease_owner)
        return None
    if activity.created_at < now - TIME_LIMIT:
        finish(activity, ActivityState.TIMED_OUT, "The activity did not finish in time and was stopped.")
        return None
    if activity.attempts >= MAX_ATTEMPTS:
        finish(activity, ActivityState.FAILED, f"The activity failed after {activity.attempts} attempts.")
        return None
    token = new_token()
    taken = Activity.objects.filter(
        pk=activity.pk,
        state__in=UNFINISHED_STATES,
        lease_owner=activity.lease_owner,
        heartbeat_at=activity.heartbeat_at,
    ).update(
        lease_owner=token,
        heartbeat_at=now,
        state=ActivityState.PROCESSING,
        started_at=activity.started_at or now,
        attempts=activity.attempts + 1,
        updated_at=now,
    )
    if not taken:
        return None  # another worker claimed it between our read and our write
    if activity.lease_owner:
        logger.warning("activity %s taken over from %s", activity.activity_id, activity.lease_owner)
    activity.refresh_from_db()
    return Job(activity, token)


def finish(activity: Activity, state: str, error: str | None = None, token: str | None = None) -> bool:
    """Move an unfinished activity to a final state (only while ``token`` holds it, if given)."""
    errors = list(activity.activity_errors)
    if error and len(errors) < MAX_ERRORS:
        errors.append(error)
    now = timezone.now()
    rows = Activity.objects.filter(pk=activity.pk, state__in=UNFINISHED_STATES)
    if token is not None:
        rows = rows.filter(lease_owner=token)
    changes: dict[str, Any] = {
        "state": state,
        "activity_errors": errors,
        "completed_at": now,
        "updated_at": now,
        "lease_owner": "",
        "heartbeat_at": None,
    }
    if state == ActivityState.COMPLETED:
        changes["percent_done"] = 100
    return bool(rows.update(**changes))


def release(job: Job) -> None:
    """Give the lease back after an error so a retry can claim it at once."""
    Activity.objects.filter(pk=job.activity.pk, lease_owner=job.token).update(
        lease_owner="", heartbeat_at=None, enqueued_at=timezone.now()
    )


def run(activity_pk: int, handlers: dict[str, Handler]) -> None:
    """Claim the activity and run its handler to the end; safe to call any number of times."""
    job = claim(activity_pk)
    if job is None:
        return
    activity = job.activity
    logger.info("activity %s (%s): starting at checkpoint %s", activity.activity_id, activity.kind, job.checkpoint)
    try:
        handlers[activity.kind](job)
    except LeaseLost:
        logger.warning("activity %s: lease lost; the new holder carries on", activity.activity_id)
        return
    except Exception:
        release(job)
        raise
    # The handler's last save_progress holds the final counts; completing only flips the state.
    job.activity.refresh_from_db()
    if finish(job.activity, ActivityState.COMPLETED, token=job.token):
        logger.info("activity %s completed", activity.activity_id)
        if activity.source_file:
            drop_upload(activity)


def drop_upload(activity: Activity) -> None:
    """Delete a completed import's upload (the account's contacts at rest), then forget its name.

    Not cleared by the update that completes the activity: a worker killed after that commit and
    before the delete would leave a file no row names. Cleared after the delete, a set
    ``source_file`` on a completed import means "still there", and the retention sweep takes it.
    """
    delete_files(activity)
    Activity.objects.filter(pk=activity.pk).update(source_file="")


def fail(activity_pk: int, message: str) -> None:
    """Give up on an activity whose task keeps failing."""
    activity = Activity.objects.filter(pk=activity_pk).first()
    if activity is not None:
        finish(activity, ActivityState.FAILED, message)


def walk_contacts(job: Job, contacts: QuerySet[Contact], batch_size: int, step: Callable[[list[int]], None]) -> None:
    """Apply ``step`` to the contacts' row ids in order, ``batch_size`` per transaction, after the checkpoint.

    The checkpoint is the last row id done, so the walk resumes after it; the total is counted
    once, on the first run.
    """
    activity = job.activity
    if activity.items_total_count is None:
        activity.items_total_count, activity.items_completed_count = contacts.count(), 0
        job.beat()
    while True:
        pks = list(contacts.filter(pk__gt=job.checkpoint).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            return
        with job.batch(checkpoint=pks[-1]):
            step(pks)
            job.increment(items_completed_count=len(pks))
            # Contacts that joined the source after it was counted make the total grow.
            done = activity.items_completed_count or 0
            activity.items_total_count = max(activity.items_total_count or 0, done)
            job.set_progress(done, activity.items_total_count)


# ---------------------------------------------------------------------------------------------
# Recovery


def requeue_stale(now: datetime | None = None) -> list[int]:
    """Enqueue again every unfinished activity no live worker holds; returns their row ids.

    Held activities are re-enqueued when their heartbeat is stale or their owner is a dead process
    of this host; free ones when their last enqueue is older than :data:`REQUEUE_AFTER`.
    """
    now = now or timezone.now()
    host = socket.gethostname() + ":"
    unfinished = Activity.objects.filter(state__in=UNFINISHED_STATES)
    held_stale = Q(heartbeat_at__lt=now - STALE_AFTER) & ~Q(lease_owner="")
    free_waiting = Q(lease_owner="") & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER))
    candidates = set(unfinished.filter(held_stale | free_waiting).values_list("pk", flat=True))
    local = unfinished.filter(lease_owner__startswith=host).values_list("pk", "lease_owner")
    candidates.update(pk for pk, owner in local if owner_is_dead(owner))
    requeued = []
    for pk in sorted(candidates):
        # A second message for one activity is harmless: only one claim can win the lease.
        Activity.objects.filter(pk=pk, state__in=UNFINISHED_STATES).update(enqueued_at=now)
        enqueue(pk)
        requeued.append(pk)
    if requeued:
        logger.warning("re-enqueued %d stale activities: %s", len(requeued), requeued)
    return requeued
