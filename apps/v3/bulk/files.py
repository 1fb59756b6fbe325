"""Where a bulk activity's files live in default storage, and how they are deleted.

Every file of an activity (an import's upload, an export's CSV, a copy an interrupted attempt
stored before its batch rolled back) is kept in the activity's own folder,
``activities/<account>/<activity>/``. Deleting what is in that folder deletes them all, whatever
the row still names.
"""

from __future__ import annotations

import contextlib
import os

from django.core.files.storage import default_storage

from apps.v3.bulk.models import Activity


def storage_name(activity: Activity, name: str) -> str:
    """Where a file of ``activity`` lives in default storage."""
    return f"activities/{activity.account.encoded_account_id}/{activity.activity_id}/{name}"


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
    """Delete the activity's stored files and its folder; how many files were still there."""
    deleted = 0
    for name in _stored_names(activity):
        if default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    _remove_folder(activity)
    return deleted
