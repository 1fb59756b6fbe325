"""Email Scheduling's shapes: a schedule (``EmailScheduleResponse``) and the send history (``EmailSendHistory``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from apps.v3.campaigns.models import SendRun


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def schedule_data(dates: Iterable[datetime]) -> list[dict[str, str]]:
    """The schedule: one entry per date (none for an activity sent at once or not scheduled)."""
    return [{"scheduled_date": _iso(date)} for date in dates]


def send_history_data(runs: Iterable[SendRun]) -> list[dict[str, Any]]:
    """One entry per finished run, as ``retrieveEmailSendHistoryUsingGET`` reports them."""
    return [
        {
            "send_id": run.send_id,
            "contact_list_ids": list(run.contact_list_ids),
            "segment_ids": list(run.segment_ids),
            "count": run.count,
            "run_date": _iso(run.run_date or run.created_at),
            "send_status": run.state,
            "reason_code": run.reason_code if run.reason_code is not None else 0,
        }
        for run in runs
    ]
