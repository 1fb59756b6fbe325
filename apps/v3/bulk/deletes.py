"""Deleting in bulk: contacts (``contact_delete``), lists (``list_delete``), tags (``contacts_tags_delete``)
and custom fields (``custom_fields_delete``), and the single list and tag deletes that queue the same work.

Contacts, lists and tags are marked deleted (``deleted_at``) first, so they vanish from every
listing at once; a deleted list's memberships, a tag's taggings and a custom field's values are
then removed in batches before the tag or field row itself, so no statement has to delete an
unbounded number of rows at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.bulk.models import Activity, ActivityKind
from apps.v3.bulk.runner import Job, Plan, check_queue, schedule, walk_contacts
from apps.v3.bulk.sources import CONTACTS, CUSTOM_FIELDS, LISTS, TAGS, live_contacts, on_lists, resolve
from apps.v3.common.named import hide
from apps.v3.contacts.models import ContactList, CustomField, CustomFieldValue, ListMembership, Tag, Tagging
from apps.v3.contacts.services.lists import live_lists
from apps.v3.contacts.services.tags import account_tags
from apps.v3.gate.errors import bad_request, not_found

MAX_CONTACTS = 500
MAX_SOURCE_LISTS = 50
MAX_LISTS = 100
MAX_TAGS = 500
MAX_CUSTOM_FIELDS = 100
# Contacts marked deleted per transaction: one UPDATE of 5,000 rows by id commits in well
# under a second on either database.
CONTACTS_PER_BATCH = 5_000
# Link rows (memberships, taggings, values) removed per transaction, for the same reason.
LINKS_PER_BATCH = 10_000


def read_contact_delete(account: Account, body: dict[str, Any]) -> Plan:
    """``POST /activities/contact_delete``: contact ids or list ids, not both (no 404: ids are skipped)."""
    contact_ids, list_ids = body.get("contact_ids") or [], body.get("list_ids") or []
    if bool(contact_ids) == bool(list_ids):
        raise bad_request("body: give either contact_ids or list_ids (one of them, not empty)")
    if contact_ids:
        pks, errors = resolve(
            account, CONTACTS, contact_ids, "contact_ids", limit=MAX_CONTACTS, strict=False, required=True
        )
        return Plan(params={"contacts": pks}, errors=errors)
    pks, errors = resolve(account, LISTS, list_ids, "list_ids", limit=MAX_SOURCE_LISTS, strict=False, required=True)
    return _lists_plan(pks, errors)


def _lists_plan(pks: list[int], errors: list[str]) -> Plan:
    return Plan(params={"lists": pks}, errors=errors, counts={"list_count": len(pks)})


def _items_plan(pks: list[int], errors: list[str]) -> Plan:
    return Plan(
        params={"items": pks}, errors=errors, counts={"items_total_count": len(pks), "items_completed_count": 0}
    )


def run_contact_delete(job: Job) -> None:
    """Mark the contacts deleted, 5,000 per transaction."""
    params = job.params
    contacts = live_contacts(job.activity.account_id)
    contacts = (
        contacts.filter(pk__in=params["contacts"])
        if "contacts" in params
        else contacts.filter(on_lists(params["lists"]))
    )
    now = timezone.now()

    def delete(pks: list[int]) -> None:
        contacts.model.objects.filter(pk__in=pks).update(deleted_at=now, updated_at=now)

    walk_contacts(job, contacts, CONTACTS_PER_BATCH, delete)


def read_list_delete(account: Account, body: dict[str, Any]) -> Plan:
    """``POST /activities/list_delete``: up to 100 list ids (no 404: unknown ids are skipped)."""
    pks, errors = resolve(
        account, LISTS, body.get("list_ids") or [], "list_ids", limit=MAX_LISTS, strict=False, required=True
    )
    return _lists_plan(pks, errors)


def _purge(job: Job, links: QuerySet[Any]) -> int:
    """Delete ``links`` in batches of :data:`LINKS_PER_BATCH`, one transaction each; how many went."""
    removed = 0
    while True:
        pks = list(links.order_by("pk").values_list("pk", flat=True)[:LINKS_PER_BATCH])
        if not pks:
            return removed
        with job.batch():
            links.model.objects.filter(pk__in=pks).delete()
        removed += len(pks)


def run_list_delete(job: Job) -> None:
    """Mark the lists deleted at once (they vanish from every listing), then drop their memberships."""
    lists = ContactList.objects.filter(account_id=job.activity.account_id, pk__in=job.params["lists"])
    with job.batch():
        now = timezone.now()
        lists.filter(deleted_at__isnull=True).update(deleted_at=now, updated_at=now)
        job.set_progress(0, 1)
    _purge(job, ListMembership.objects.filter(contact_list_id__in=job.params["lists"]))


def read_tag_delete(account: Account, body: dict[str, Any]) -> Plan:
    """``POST /activities/contacts_tags_delete``: up to 500 tag ids (no 404: unknown ids are skipped)."""
    pks, errors = resolve(
        account, TAGS, body.get("tag_ids") or [], "tag_ids", limit=MAX_TAGS, strict=False, required=True
    )
    return _items_plan(pks, errors)


def read_custom_field_delete(account: Account, body: dict[str, Any]) -> Plan:
    """``POST /activities/custom_fields_delete``: up to 100 custom field ids (404 for any not in the account)."""
    raw = body.get("custom_field_ids") or []
    pks, _ = resolve(
        account, CUSTOM_FIELDS, raw, "custom_field_ids", limit=MAX_CUSTOM_FIELDS, strict=True, required=True
    )
    return _items_plan(pks, [])


def _delete_items(job: Job, model: type[Model], link_model: type[Model], link_fk: str) -> None:
    """Delete each item after its links, counting items; items already gone count as done."""
    items = model._default_manager.filter(account_id=job.activity.account_id, pk__in=job.params["items"])
    remaining = list(items.order_by("pk").values_list("pk", flat=True))
    done = len(job.params["items"]) - len(remaining)
    for pk in remaining:
        _purge(job, link_model._default_manager.filter(**{link_fk: pk}))
        with job.batch():
            model._default_manager.filter(pk=pk).delete()
            done += 1
            job.activity.items_completed_count = done
            job.set_progress(done, len(job.params["items"]))


def run_tag_delete(job: Job) -> None:
    """Mark the tags deleted at once (they leave every listing and contact), then delete each after its taggings."""
    with job.batch():
        now = timezone.now()
        tags = Tag.objects.filter(account_id=job.activity.account_id, pk__in=job.params["items"])
        tags.filter(deleted_at__isnull=True).update(deleted_at=now, updated_at=now)
    _delete_items(job, Tag, Tagging, "tag_id")


def run_custom_field_delete(job: Job) -> None:
    """Delete the custom fields, each after its contacts' values."""
    _delete_items(job, CustomField, CustomFieldValue, "custom_field_id")


# ---------------------------------------------------------------------------------------------
# DELETE /contact_lists/{list_id} and DELETE /contact_tags/{tag_id}


def _hide_and_queue(
    account: Account,
    kind: str,
    live: QuerySet[Any],
    missing: str,
    plan: Callable[[list[int], list[str]], Plan],
    **lookup: Any,
) -> Activity:
    """Hide one live list or tag (404 ``missing`` if none) and queue the activity removing its links, at once.

    A refused activity (429) rolls the hiding back, so the list or tag is then untouched.
    """
    check_queue(account)  # before any write: a full queue needs no lookup
    with transaction.atomic():
        return schedule(account, kind, plan([hide(live, lambda: not_found(missing), **lookup)], []))


def delete_list(account: Account, list_id: uuid.UUID) -> Activity:
    """``DELETE /contact_lists/{list_id}``: the list is deleted now, its memberships by a ``list_delete`` activity."""
    missing = f"No contact list {list_id} in this account."
    return _hide_and_queue(
        account, ActivityKind.LIST_DELETE, live_lists(account), missing, _lists_plan, list_id=list_id
    )


def delete_tag(account: Account, tag_id: uuid.UUID) -> Activity:
    """``DELETE /contact_tags/{tag_id}``: the tag is hidden now, untagged and removed by a ``contacts_tags_delete``."""
    missing = f"No tag {tag_id} in this account."
    return _hide_and_queue(account, ActivityKind.TAG_DELETE, account_tags(account), missing, _items_plan, tag_id=tag_id)
