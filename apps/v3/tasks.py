"""Celery tasks of the V3 service, where ``app.autodiscover_tasks()`` looks for them."""

from __future__ import annotations

from apps.v3.bulk.tasks import process_activity, requeue_stale_activities

__all__ = ["process_activity", "requeue_stale_activities"]
