"""Celery tasks of the bulk activities, and the hooks that recover activities a worker lost.

Tasks take row ids only. ``process_activity`` acknowledges late (a worker that dies mid-task
leaves the message for redelivery) but does not rely on it: the Redis transport redelivers
only after its visibility timeout and the file and memory brokers never do. So the worker
also re-enqueues stale activities when it starts (``worker_ready``) and beat does so every
minute; the lease on the activity row makes any duplicate delivery a no-op. Beat also runs the
retention sweep (``retention.py``) every hour. Both schedules are ``CELERY_BEAT_SCHEDULE`` in the settings.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from celery.utils.log import get_task_logger
from django.db import InterfaceError, OperationalError

from apps.v3.bulk.handlers import process
from apps.v3.bulk.retention import sweep_files
from apps.v3.bulk.runner import PROCESS_TASK, fail, requeue_stale

logger = get_task_logger(__name__)

# Retries after a fault of the machine, with growing pauses; then the activity is failed.
MAX_RETRIES = 3
RETRY_DELAYS = (10, 60, 300)
# Faults of the machine, which a later try may not meet: the database or a connection down,
# restarting or timing out. Anything else (a value the code did not expect) fails the same way
# on every try, so retrying it only delays the failure; bad input is each row's own error
# before it gets here (import_rows.RowProblem).
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
INTERNAL_ERROR = "The activity failed because of an internal error."


@shared_task(bind=True, name=PROCESS_TASK, acks_late=True, max_retries=MAX_RETRIES)
def process_activity(self: Any, activity_pk: int) -> None:
    """Carry out one bulk activity, resuming from its checkpoint."""
    try:
        process(activity_pk)
    except TRANSIENT as exc:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("activity row %s failed for good", activity_pk)
            fail(activity_pk, INTERNAL_ERROR)
            return
        logger.warning("activity row %s failed (%r); retrying", activity_pk, exc)
        raise self.retry(exc=exc, countdown=RETRY_DELAYS[self.request.retries]) from exc
    except Exception:
        logger.exception("activity row %s failed on an unexpected error; not retried", activity_pk)
        fail(activity_pk, INTERNAL_ERROR)


@shared_task(name="v3.activities.requeue_stale", acks_late=True)
def requeue_stale_activities() -> int:
    """Enqueue again the activities no live worker holds; how many there were."""
    return len(requeue_stale())


@shared_task(name="v3.activities.sweep_files", acks_late=True)
def sweep_activity_files() -> dict[str, int]:
    """Delete the bulk-activity files past their retention; how many activities and files."""
    return asdict(sweep_files())


@worker_ready.connect
def requeue_after_start(sender: Any = None, **kwargs: Any) -> None:
    """A (re)started worker picks up what a dead one left: the sweep runs as a task, off the main process."""
    requeue_stale_activities.delay()
