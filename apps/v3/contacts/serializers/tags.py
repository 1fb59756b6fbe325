"""Response bodies for the Contact Tags tag, built key by key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.v3.bulk.models import Activity
from apps.v3.bulk.serializers import LIST_DELETE_KEYS, activity_keys
from apps.v3.contacts.models import Tag
from apps.v3.contacts.serializers.contacts import iso, present


def tag_data(tag: Tag, contacts_count: int | None = None) -> dict[str, Any]:
    """``Tag``; ``contacts_count`` only when it was asked for."""
    return present(
        tag_id=str(tag.tag_id),
        name=tag.name,
        contacts_count=contacts_count,
        created_at=iso(tag.created_at),
        updated_at=iso(tag.updated_at),
        tag_source=tag.tag_source,
    )


def tags_data(tags: Iterable[Tag], counts: dict[int, int] | None, links: dict[str, Any]) -> dict[str, Any]:
    """``Tags``: the page and the next link."""
    rows = [tag_data(tag, None if counts is None else counts.get(tag.pk, 0)) for tag in tags]
    return {"tags": rows, **present(_links=links)}


def tag_delete_data(activity: Activity) -> dict[str, Any]:
    """``ActivityGeneric``: the ``contacts_tags_delete`` activity a tag's DELETE queued (counting tags).

    That schema has the list delete's properties and ``status``, and its errors are ``{"message": ...}`` objects.
    """
    body = activity_keys(activity, (*LIST_DELETE_KEYS, "status"))
    body["activity_errors"] = [{"message": message} for message in body["activity_errors"]]
    return body
