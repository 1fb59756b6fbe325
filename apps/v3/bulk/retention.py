"""How long bulk-activity files stay in storage, and the sweep that deletes them.

An import's upload is the account's contacts at rest: the task deletes it when the import
completes and then clears ``source_file`` (``runner.drop_upload``); a completed import still
naming its upload (a worker killed in between) loses it at the sweep's next run. An import that
failed or timed out keeps its upload for :func:`files_kept` (something to look at while the
failure is fresh), then loses it too. An export's CSV file is kept for :func:`files_kept` after
the export completes. An export names its file in the row before storing it, so the file of an
export that then failed or timed out is found the same way and deleted after the same period,
although nothing ever serves it.

The sweep works from the activity rows: it looks only at rows naming a file (``HOLDS_FILES``,
the condition of their partial index), empties each due activity's storage folder (which also
takes the file an interrupted attempt stored before its batch rolled back) and then clears
``source_file`` and ``result_file``. A cleared column is what ``GET /contact_exports/{id}`` and
``_links.results`` read, and what keeps the next sweep from visiting the activity again. Files
are deleted before the columns are cleared, so a sweep killed in between only repeats a delete.
Unfinished activities are never visited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.utils.log import get_task_logger
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.v3.bulk.files import delete_files
from apps.v3.bulk.models import HOLDS_FILES, UNFINISHED_STATES, Activity, ActivityState
from apps.v3.gate.errors import not_found

logger = get_task_logger(__name__)

# Activities read per step: each costs one folder listing and a few deletes, so a step stays
# well under a minute even on remote storage, and the row ids held in memory stay small.
SWEEP_BATCH = 500


def files_kept() -> timedelta:
    """How long an export's file (or a failed import's upload) is kept after the activity finished."""
    return timedelta(days=settings.V3_ACTIVITY_FILES_KEPT_DAYS)


def with_expired_files(now: datetime) -> QuerySet[Activity]:
    """Finished activities holding a file that is due for deletion at ``now``."""
    # HOLDS_FILES is written out although the other terms imply it: it is the condition of the
    # partial index that serves this query. PostgreSQL proves the implication by itself; SQLite
    # uses a partial index only when its condition is a term of the WHERE clause as written.
    leftover_upload = Q(state=ActivityState.COMPLETED) & ~Q(source_file="")
    past_retention = Q(completed_at__lt=now - files_kept())
    return (
        Activity.objects.filter(HOLDS_FILES)
        .exclude(state__in=UNFINISHED_STATES)
        .filter(leftover_upload | past_retention)
    )


@dataclass
class Swept:
    """What one sweep deleted: activities whose files went, and the files themselves."""

    uploads: int = 0
    exports: int = 0
    files: int = 0


def sweep_files(now: datetime | None = None) -> Swept:
    """Delete every file due at ``now`` and clear the columns that named them."""
    now = now or timezone.now()
    swept = Swept()
    last = 0
    while True:
        due = with_expired_files(now).filter(pk__gt=last).select_related("account").order_by("pk")
        batch = list(due[:SWEEP_BATCH])
        if not batch:
            break
        last = batch[-1].pk
        for activity in batch:
            swept.files += delete_files(activity)
        swept.uploads += sum(1 for a in batch if a.source_file)
        swept.exports += sum(1 for a in batch if a.result_file)
        Activity.objects.filter(pk__in=[a.pk for a in batch]).update(source_file="", result_file="")
    if swept.files or swept.uploads or swept.exports:
        logger.info(
            "deleted %d files: uploads of %d imports, files of %d exports", swept.files, swept.uploads, swept.exports
        )
    return swept


def open_export_file(activity: Activity) -> File:
    """The stored CSV file of a completed export; a 404 saying why when there is none to serve."""
    export_id = activity.activity_id
    if activity.state != ActivityState.COMPLETED:
        raise not_found(f"The export {export_id} has no file yet (state {activity.state}).")
    gone = not_found(
        f"The file of export {export_id} was deleted: export files are kept {files_kept().days} days "
        "after the export completes. Start a new export."
    )
    if not activity.result_file:
        raise gone
    try:
        return default_storage.open(activity.result_file, "rb")
    except FileNotFoundError:  # removed from storage by other means than the sweep
        raise gone from None
