"""Response bodies for the Bulk Activities tag: one activity, as each operation's schema shapes it.

Every activity kind reports the common keys; ``status`` carries the counts the spec defines for
that kind, and only those already known (a count the task has not reached yet is left out, as
the spec's schemas allow no nulls). An export links its file under ``_links.results`` once done,
until the file is deleted (``apps.v3.bulk.retention``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from apps.v3.bulk.models import Activity, ActivityKind, ActivityState

_IMPORT = ("items_total_count", "person_count", "error_count", "correctable_count", "cannot_add_to_list_count")
_ITEMS = ("items_total_count", "items_completed_count")
STATUS_FIELDS: dict[str, tuple[str, ...]] = {
    ActivityKind.FILE_IMPORT: _IMPORT,
    ActivityKind.JSON_IMPORT: _IMPORT,
    ActivityKind.CONTACT_EXPORT: _ITEMS,
    ActivityKind.CONTACT_DELETE: (*_ITEMS, "list_count"),
    ActivityKind.ADD_LIST_MEMBERSHIPS: (*_ITEMS, "list_count"),
    ActivityKind.REMOVE_LIST_MEMBERSHIPS: (*_ITEMS, "list_count"),
    ActivityKind.LIST_DELETE: ("list_count",),
    ActivityKind.ADD_TAGGINGS: _ITEMS,
    ActivityKind.REMOVE_TAGGINGS: _ITEMS,
    ActivityKind.TAG_DELETE: _ITEMS,
    ActivityKind.CUSTOM_FIELD_DELETE: _ITEMS,
}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def activity_path(activity: Activity) -> str:
    """The activity's own URL path."""
    return f"/v3/activities/{activity.activity_id}"


def export_path(activity: Activity) -> str:
    """Where a finished export's file is served."""
    return f"/v3/contact_exports/{activity.activity_id}"


def activity_data(activity: Activity) -> dict[str, Any]:
    """The activity as ``GET /activities/{id}`` and the POST that created it answer it."""
    data: dict[str, Any] = {"activity_id": str(activity.activity_id), "state": activity.state}
    for name in ("created_at", "updated_at", "started_at", "completed_at"):
        stamp = _iso(getattr(activity, name))
        if stamp is not None:
            data[name] = stamp
    if activity.kind == ActivityKind.FILE_IMPORT and activity.source_file_name:
        data["source_file_name"] = activity.source_file_name
    data["percent_done"] = activity.percent_done
    data["activity_errors"] = list(activity.activity_errors)
    status = {
        name: getattr(activity, name) for name in STATUS_FIELDS[activity.kind] if getattr(activity, name) is not None
    }
    if status:
        data["status"] = status
    links: dict[str, Any] = {"self": {"href": activity_path(activity)}}
    # Once the retention sweep has deleted the file (result_file cleared) there is nothing to link.
    if (
        activity.kind == ActivityKind.CONTACT_EXPORT
        and activity.state == ActivityState.COMPLETED
        and activity.result_file
    ):
        links["results"] = {"href": export_path(activity)}
    data["_links"] = links
    return data


# ActivityDeleteListResponse's properties: unlike the bulk list_delete's schema it has no status.
# The DELETE of a tag answers these too, with status (serializers/tags.py).
LIST_DELETE_KEYS = ("activity_id", "state", "created_at", "updated_at", "percent_done", "activity_errors", "_links")


def activity_keys(activity: Activity, keys: Iterable[str]) -> dict[str, Any]:
    """The activity as ``GET /activities/{id}`` has it, cut to the properties an operation's schema names."""
    data = activity_data(activity)
    return {key: data[key] for key in keys if key in data}
