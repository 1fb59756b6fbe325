"""How long bulk-activity files stay in storage, and the sweep that deletes them.

An import's upload is the account's contacts at rest: the task deletes it when the import
completes, and the sweep deletes whatever a completed import left behind at its next run. An
import that failed or timed out keeps its upload for :func:`files_kept` (something to look at
while the failure is fresh), then loses it too. An export's CSV file is kept for
:func:`files_kept` after the export completes.

The sweep works from the activity rows: it empties the activity's storage folder (which also
takes the file an interrupted attempt stored before its batch rolled back) and then clears
``source_file`` or ``result_file``. A cleared column is what ``GET /contact_exports/{id}`` and
``_links.results`` read, and what keeps the next sweep from visiting the activity again. Files
are deleted before the column is cleared, so a sweep killed in between only repeats a delete.
Unfinished activities are never visited.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.utils.log import get_task_logger
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.v3.gate.errors import not_found
from apps.v3.models import UNFINISHED_STATES, Activity, ActivityKind, ActivityState

from .runner import storage_name

logger = get_task_logger(__name__)

IMPORT_KINDS = (ActivityKind.FILE_IMPORT, ActivityKind.JSON_IMPORT)
# Activities read per step: each costs one folder listing and a few deletes, so a step stays
# well under a minute even on remote storage, and the row ids held in memory stay small.
SWEEP_BATCH = 500


def files_kept() -> timedelta:
    """How long an export's file (or a failed import's upload) is kept after the activity finished."""
    return timedelta(days=settings.V3_ACTIVITY_FILES_KEPT_DAYS)


def with_expired_files(now: datetime) -> QuerySet[Activity]:
    """Finished activities holding a file that is due for deletion at ``now``."""
    cutoff = now - files_kept()
    uploads = (
        Q(kind__in=IMPORT_KINDS) & ~Q(source_file="") & (Q(state=ActivityState.COMPLETED) | Q(completed_at__lt=cutoff))
    )
    exports = Q(kind=ActivityKind.CONTACT_EXPORT) & ~Q(result_file="") & Q(completed_at__lt=cutoff)
    return Activity.objects.exclude(state__in=UNFINISHED_STATES).filter(uploads | exports)


@dataclass
class Swept:
    """What one sweep deleted: activities whose files went, and the files themselves."""

    uploads: int = 0
    exports: int = 0
    files: int = 0


def _stored_names(activity: Activity) -> set[str]:
    """Every file of ``activity``: those its row names and whatever else is in its folder."""
    names = {name for name in (activity.source_file, activity.result_file) if name}
    names.update(value for key, value in activity.params.items() if key.endswith("_file") and value)
    folder = storage_name(activity, "").rstrip("/")
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        files = []
    names.update(f"{folder}/{name}" for name in files)
    return names


def _remove_folder(activity: Activity) -> None:
    """Remove the activity's emptied folder where the storage has folders (local disk)."""
    try:
        path = default_storage.path(storage_name(activity, ""))
    except NotImplementedError:  # object stores have no folders to leave behind
        return
    with contextlib.suppress(OSError):  # already gone, or something new in it: leave it
        os.rmdir(path)


def delete_files(activity: Activity) -> int:
    """Delete the activity's stored files; how many were still there."""
    deleted = 0
    for name in _stored_names(activity):
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    _remove_folder(activity)
    return deleted


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
        uploads = [a.pk for a in batch if a.kind in IMPORT_KINDS]
        exports = [a.pk for a in batch if a.kind == ActivityKind.CONTACT_EXPORT]
        swept.uploads += Activity.objects.filter(pk__in=uploads).update(source_file="")
        swept.exports += Activity.objects.filter(pk__in=exports).update(result_file="")
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
