"""Which module carries out each kind of activity, and :func:`process`, which the Celery task calls."""

from __future__ import annotations

from apps.v3.bulk import deletes, exports, imports, memberships
from apps.v3.bulk.models import ActivityKind
from apps.v3.bulk.runner import Handler, run

HANDLERS: dict[str, Handler] = {
    ActivityKind.FILE_IMPORT: imports.run_import,
    ActivityKind.JSON_IMPORT: imports.run_import,
    ActivityKind.CONTACT_EXPORT: exports.run_contact_export,
    ActivityKind.CONTACT_DELETE: deletes.run_contact_delete,
    ActivityKind.ADD_LIST_MEMBERSHIPS: memberships.run_add_list_memberships,
    ActivityKind.REMOVE_LIST_MEMBERSHIPS: memberships.run_remove_list_memberships,
    ActivityKind.LIST_DELETE: deletes.run_list_delete,
    ActivityKind.ADD_TAGGINGS: memberships.run_add_taggings,
    ActivityKind.REMOVE_TAGGINGS: memberships.run_remove_taggings,
    ActivityKind.TAG_DELETE: deletes.run_tag_delete,
    ActivityKind.CUSTOM_FIELD_DELETE: deletes.run_custom_field_delete,
}


def process(activity_pk: int) -> None:
    """Run the activity to the end (or leave it to the worker that holds it)."""
    run(activity_pk, HANDLERS)


__all__ = ["HANDLERS", "process"]
