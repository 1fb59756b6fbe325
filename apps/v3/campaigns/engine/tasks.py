"""Celery tasks of the send engine, and the hook that resumes runs a dead worker left.

Tasks take row ids only. ``send_run`` acknowledges late but does not rely on redelivery (the
Redis transport redelivers only after its visibility timeout): the dispatcher, which beat runs
every 30 seconds (``CELERY_BEAT_SCHEDULE``) and every worker runs when it starts, re-enqueues a
run whose worker went quiet; the run's lease makes any duplicate delivery a no-op.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from celery.utils.log import get_task_logger
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from apps.v3.campaigns.engine import dispatch, runs, send

logger = get_task_logger(__name__)

# Faults a later try may not meet: the mail server down or refusing the session, the database
# or a connection failing. After the last retry the run is ERRORED and its activity ERROR.
TRANSIENT = (send.MailServerDown, OperationalError, InterfaceError, ConnectionError, TimeoutError)
DISPATCH_TASK = "v3.campaigns.dispatch"


def retry_delays() -> tuple[int, ...]:
    """Seconds before each retry of a failing run (``V3_SEND_RETRY_DELAYS``)."""
    return tuple(getattr(settings, "V3_SEND_RETRY_DELAYS", (30, 120, 600)))


@shared_task(bind=True, name=runs.SEND_TASK, acks_late=True, max_retries=None)
def send_run(self: Any, run_pk: int) -> None:
    """Mail one run to the end, resuming after its last recorded copy."""
    delays = retry_delays()
    try:
        send.process(run_pk)
    except TRANSIENT as exc:
        if self.request.retries >= len(delays):
            logger.exception("send run %s failed for good", run_pk)
            send.give_up(run_pk)
            return
        logger.warning("send run %s failed (%r); retrying", run_pk, exc)
        raise self.retry(exc=exc, countdown=delays[self.request.retries]) from exc
    except Exception:
        logger.exception("send run %s failed on an unexpected error; not retried", run_pk)
        send.give_up(run_pk)


@shared_task(name=DISPATCH_TASK, acks_late=True)
def dispatch_due() -> dict[str, list[int]]:
    """Start due activities, A/B winners and resends, and requeue runs a worker lost."""
    return asdict(dispatch.dispatch(timezone.now()))


@worker_ready.connect
def dispatch_after_start(sender: Any = None, **kwargs: Any) -> None:
    """A (re)started worker resumes the runs a dead one held, without waiting for beat."""
    dispatch_due.delay()
