"""Response bodies for the Contact Lists tag, built key by key.

No spec schema allows null, so an unset value is left out rather than sent as null or "" (the
``present`` helper the Contacts bodies use).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from apps.v3.bulk.models import Activity
from apps.v3.bulk.serializers import LIST_DELETE_KEYS, activity_keys
from apps.v3.contacts.models import ContactList
from apps.v3.contacts.serializers.contacts import iso, present


def contact_list_data(contact_list: ContactList, membership_count: int | None = None) -> dict[str, Any]:
    """``ContactList`` / ``ContactListPutPost``; ``membership_count`` only when it was asked for."""
    return present(
        list_id=str(contact_list.list_id),
        name=contact_list.name,
        description=contact_list.description,
        favorite=contact_list.favorite,
        created_at=iso(contact_list.created_at),
        updated_at=iso(contact_list.updated_at),
        deleted_at=iso(contact_list.deleted_at),
        membership_count=membership_count,
    )


def contact_lists_data(
    lists: Iterable[ContactList], counts: dict[int, int] | None, total: int | None, links: dict[str, Any]
) -> dict[str, Any]:
    """``ContactListArray``: the page, ``lists_count`` when asked for, and the next link."""
    rows = [contact_list_data(lst, None if counts is None else counts.get(lst.pk, 0)) for lst in lists]
    body: dict[str, Any] = {"lists": rows}
    return {**body, **present(lists_count=total, _links=links)}


def list_delete_data(activity: Activity) -> dict[str, Any]:
    """``ActivityDeleteListResponse``: the ``list_delete`` activity a list's DELETE queued."""
    return activity_keys(activity, LIST_DELETE_KEYS)


def list_xrefs_data(pairs: Iterable[tuple[int, uuid.UUID]]) -> dict[str, Any]:
    """``ListXrefs``: each V2 sequence id with its V3 ``list_id``."""
    return {"xrefs": [{"sequence_id": str(seq), "list_id": str(list_id)} for seq, list_id in pairs]}
