"""Contact Tags: create, rename and delete tags, and count the contacts that carry them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet

from apps.v3.account.models import Account
from apps.v3.common.named import clean_name, rename, save_named
from apps.v3.contacts.models import Tag, Tagging
from apps.v3.gate.errors import V3Error, bad_request, not_found

MAX_LIMIT = 500
MAX_SOURCE = 50  # the column's size; the spec sets no limit


def _conflict(name: str) -> V3Error:
    return V3Error(409, "api.conflict", f"name: a tag named {name!r} already exists")


def check_limit(limit: int) -> int:
    """``limit`` of ``getTags``: 1 to 500 (the spec writes it as a length on an integer)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit: must be from 1 to {MAX_LIMIT}")
    return limit


def account_tags(account: Account) -> QuerySet[Tag]:
    """The account's live tags (not being deleted), for paging; names are unique among these."""
    return Tag.objects.of(account).live()


def find_tag(account: Account, tag_id: Any) -> Tag:
    """The account's live tag with this id; 404 otherwise."""
    tag = account_tags(account).filter(tag_id=tag_id).first()
    if tag is None:
        raise not_found(f"No tag {tag_id} in this account.")
    return tag


def contacts_counts(tags: Iterable[Tag]) -> dict[int, int]:
    """Live contacts carrying each tag, in one aggregate query."""
    pks = [tag.pk for tag in tags]
    if not pks:
        return {}
    taggings = Tagging.objects.filter(tag_id__in=pks, contact__deleted_at__isnull=True)
    return dict(taggings.values("tag_id").annotate(n=Count("pk")).values_list("tag_id", "n"))


def create_tag(account: Account, body: Mapping[str, Any]) -> Tag:
    """A new tag; 409 when the account has one by that name."""
    name = clean_name(body["name"])
    source = clean_name(body["tag_source"], "tag_source", MAX_SOURCE) if body.get("tag_source") else ""
    tag = Tag(account=account, name=name, tag_source=source)
    return save_named(tag, account_tags(account), lambda: _conflict(name))


def rename_tag(account: Account, tag_id: Any, body: Mapping[str, Any]) -> Tag:
    """Give a tag a new unique name; ``tag_source`` cannot change (the spec says so)."""
    name = clean_name(body["name"])
    with transaction.atomic():
        return rename(find_tag(account, tag_id), name, account_tags(account), lambda: _conflict(name))
