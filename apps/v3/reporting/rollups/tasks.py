"""The beat task that keeps the rollups caught up, so a report request rarely has anything to fold."""

from __future__ import annotations

from celery import shared_task

from apps.v3.reporting.rollups.catchup import BEAT_BATCH, catch_up

CATCH_UP_TASK = "v3.reporting.catch_up"


@shared_task(name=CATCH_UP_TASK, acks_late=True)
def catch_up_rollups() -> dict[str, int]:
    """Fold everything written since the watermark, a batch per transaction (locks held briefly)."""
    folded = catch_up(batch=BEAT_BATCH, rounds=1_000)
    return {"sends": folded.sends, "events": folded.events}
