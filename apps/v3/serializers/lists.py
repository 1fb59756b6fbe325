"""Response bodies for the Contact Lists tag, built key by key.

No spec schema allows null, so an unset value is left out rather than sent as null or "" (the
``present`` helper the Contacts bodies use). ``completed_activity`` serves the Contact Tags bodies too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from apps.v3.models import ContactList

from .contacts import iso, present


def completed_activity(**extra: Any) -> dict[str, Any]:
    """An activity body for work this request already finished.

    Deleting a list or a tag answers 202 with an activity (SPEC-NOTES). Bulk activities are not
    built yet, so the delete is done in the request and its activity is reported complete; it has
    no row to look up later, hence no ``_links`` (docs/decisions.md).
    """
    now = iso(timezone.now())
    return present(
        activity_id=str(uuid.uuid4()), state="completed", created_at=now, updated_at=now, percent_done=100, **extra
    )


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


def list_delete_activity() -> dict[str, Any]:
    """``ActivityDeleteListResponse`` for a list deleted in the request."""
    return completed_activity()


def list_xrefs_data(pairs: Iterable[tuple[int, uuid.UUID]]) -> dict[str, Any]:
    """``ListXrefs``: each V2 sequence id with its V3 ``list_id``."""
    return {"xrefs": [{"sequence_id": str(seq), "list_id": str(list_id)} for seq, list_id in pairs]}
