"""Celery tasks of the V3 service, where ``app.autodiscover_tasks()`` looks for them."""

from __future__ import annotations

from apps.v3.bulk.tasks import process_activity, requeue_stale_activities
from apps.v3.campaigns.engine.tasks import dispatch_due, send_run
from apps.v3.partners.engine.tasks import deliver_webhook, sweep
from apps.v3.reporting.rollups.tasks import catch_up_rollups

__all__ = [
    "catch_up_rollups",
    "deliver_webhook",
    "dispatch_due",
    "process_activity",
    "requeue_stale_activities",
    "send_run",
    "sweep",
]
