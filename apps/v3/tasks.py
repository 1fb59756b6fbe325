"""Celery tasks of the V3 service, where ``app.autodiscover_tasks()`` looks for them."""

from __future__ import annotations

from apps.v3.bulk.tasks import process_activity, requeue_stale_activities
from apps.v3.campaigns.engine.tasks import dispatch_due, send_run

__all__ = ["dispatch_due", "process_activity", "requeue_stale_activities", "send_run"]
