"""The beat task folding new rows into the rollups, run by a real Celery worker process."""

from __future__ import annotations

import pytest

from apps.v3.campaigns.models import CampaignActivity, TrackingEvent
from apps.v3.reporting.models import ActivityCounter
from apps.v3.reporting.rollups.tasks import catch_up_rollups
from tests.v3.campaigns.rows import make_activity, make_contacts
from tests.v3.conftest import V3Api
from tests.worker import CeleryWorker, wait_for

pytestmark = pytest.mark.worker


def counted(activity: CampaignActivity) -> tuple[int, int] | None:
    row = ActivityCounter.objects.filter(activity=activity, kind="open", dim="").first()
    return (row.total, row.uniques) if row else None


def test_the_beat_task_folds_what_was_written_since_the_watermark(worker: CeleryWorker, api: V3Api) -> None:
    activity = make_activity(api.account)
    contacts = make_contacts(api.account, 30)
    opens = [TrackingEvent(account=api.account, activity=activity, contact=c, kind="open") for c in contacts]
    TrackingEvent.objects.bulk_create(opens + opens[:10])
    result = catch_up_rollups.delay()
    assert result.get(timeout=60) == {"sends": 0, "events": 40}, worker.log_tail()
    assert counted(activity) == (40, 30)
    TrackingEvent.objects.bulk_create(
        [TrackingEvent(account=api.account, activity=activity, contact=c, kind="open") for c in contacts[:5]]
    )
    catch_up_rollups.delay()
    wait_for(lambda: counted(activity) == (45, 30), 60, "the second catch-up")
