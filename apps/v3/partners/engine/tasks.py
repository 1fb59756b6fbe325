"""Celery tasks of the partners domain; beat runs the sweeps every minute (``CELERY_BEAT_SCHEDULE``).

Tasks take row ids only and are idempotent: an attempt locks its delivery and does nothing unless it is
due, so a task delivered twice POSTs once; a delivery whose task was lost is picked up by the sweep.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.utils.log import get_task_logger
from django.utils import timezone

from apps.v3.partners.engine import billing, deliveries

logger = get_task_logger(__name__)
SWEEP_TASK = "v3.partners.sweep"


@shared_task(name=deliveries.DELIVER_TASK, acks_late=True)
def deliver_webhook(delivery_pk: int) -> str:
    """The first attempt of a delivery, at once; later ones come from the sweep."""
    state = deliveries.attempt(delivery_pk, timezone.now())
    logger.info("webhook delivery %s: %s", delivery_pk, state)
    return state


@shared_task(name=SWEEP_TASK, acks_late=True)
def sweep() -> dict[str, Any]:
    """Due cancellations, lapsed trials, tiers crossed, then every webhook retry that is due."""
    now = timezone.now()
    return {
        "canceled": billing.cancel_due(now),
        "trials_ended": billing.end_lapsed_trials(now),
        "tiers": billing.check_tiers(now),
        "deliveries": deliveries.deliver_due(now),
    }
