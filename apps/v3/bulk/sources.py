"""Which contacts an activity works on: request ids checked against the account, and the querysets
the ``source`` objects of the membership, tagging, delete and export requests select.

Ids in a request are resolved to row ids when the request is checked, so the task works on rows
and never re-reads uuids. Operations that declare 404 refuse another account's (or no) ids with
404; the others, which declare none, carry on without them and say so in ``activity_errors``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.contacts.models import (
    Contact,
    ContactList,
    CustomField,
    ListMembership,
    PermissionToSend,
    Segment,
    Tag,
    Tagging,
)
from apps.v3.contacts.segments import contacts_matching
from apps.v3.gate.errors import bad_request, not_found

# "Active" contacts, as GET /contacts counts them: live, with an explicit or implicit permission.
ACTIVE_PERMISSIONS = (PermissionToSend.EXPLICIT, PermissionToSend.IMPLICIT)
# A new subscriber opted in (explicit permission) within this many days.
NEW_SUBSCRIBER_DAYS = 30
ENGAGEMENT_LEVELS = ("high", "medium", "low", "none")


@dataclass(frozen=True)
class Kind:
    """A resource requests name by uuid: its model, uuid field and what to call it in messages."""

    model: type[Model]
    id_field: str
    what: str
    live: Q = Q()


CONTACTS = Kind(Contact, "contact_id", "contact")
LISTS = Kind(ContactList, "list_id", "list", Q(deleted_at__isnull=True))
TAGS = Kind(Tag, "tag_id", "tag", Q(deleted_at__isnull=True))
CUSTOM_FIELDS = Kind(CustomField, "custom_field_id", "custom field")


def uuids(raw: Sequence[Any], where: str, limit: int | None = None, required: bool = False) -> list[uuid.UUID]:
    """``raw`` as distinct UUIDs in order (the schema checked the format); 400 past ``limit``."""
    if required and not raw:
        raise bad_request(f"{where}: at least one id is required")
    if limit is not None and len(raw) > limit:
        raise bad_request(f"{where}: at most {limit} ids are allowed, got {len(raw)}")
    seen: dict[uuid.UUID, None] = {}
    for i, value in enumerate(raw):
        try:
            seen.setdefault(uuid.UUID(str(value)), None)
        except ValueError:
            raise bad_request(f"{where}[{i}]: {value!r} is not a UUID") from None
    return list(seen)


def resolve(
    account: Account, kind: Kind, raw: Sequence[Any], where: str, *, limit: int | None, strict: bool, required: bool
) -> tuple[list[int], list[str]]:
    """Row ids of the account's resources named in ``raw``, and messages for those it lacks.

    ``strict`` (the operation declares 404) turns a missing id into a 404 instead of a message.
    """
    ids = uuids(raw, where, limit, required)
    rows = kind.model._default_manager.filter(kind.live, account=account, **{f"{kind.id_field}__in": ids})
    found = dict(rows.values_list(kind.id_field, "pk"))
    missing = [str(i) for i in ids if i not in found]
    if missing and strict:
        raise not_found(f"{where}: no such {kind.what} in this account: {', '.join(missing)}")
    messages = [f"{where}: {kind.what} {i} was not found in this account and was skipped." for i in missing]
    return [found[i] for i in ids if i in found], messages


def resolve_segment(account: Account, raw: Any, where: str) -> int:
    """The row id of the account's live segment ``raw`` (404 otherwise)."""
    segment = Segment.objects.filter(account=account, pk=raw, deleted_at__isnull=True).first()
    if segment is None:
        raise not_found(f"{where}: no segment {raw} in this account")
    return int(segment.pk)


def one_source(source: dict[str, Any], allowed: Sequence[str], where: str = "source") -> str:
    """The one source property given (``all_active_contacts``/``new_subscriber`` count when true)."""
    given = [name for name in allowed if _given(source.get(name))]
    unknown = sorted(set(source) - set(allowed))
    if unknown:
        raise bad_request(f"{where}: {', '.join(unknown)} is not a source this operation takes")
    if len(given) != 1:
        named = ", ".join(allowed)
        raise bad_request(f"{where}: give exactly one of {named} (got {', '.join(given) or 'none'})")
    return given[0]


def _given(value: Any) -> bool:
    return value is not None and value is not False and value != [] and value != ""


def check_engagement(level: Any, where: str) -> str:
    """An engagement level the service knows."""
    if level not in ENGAGEMENT_LEVELS:
        raise bad_request(f"{where}: {level!r} is not one of {', '.join(ENGAGEMENT_LEVELS)}")
    return str(level)


# ---------------------------------------------------------------------------------------------
# Querysets (account-scoped, live contacts)


def live_contacts(account_id: int) -> QuerySet[Contact]:
    """The account's contacts that are not deleted."""
    return Contact.objects.filter(account_id=account_id, deleted_at__isnull=True)


def on_lists(list_pks: Sequence[int]) -> Q:
    """Contacts that are members of any of the lists (EXISTS, so a contact on two counts once)."""
    return Q(Exists(ListMembership.objects.filter(contact=OuterRef("pk"), contact_list_id__in=list_pks)))


def tagged(tag_pks: Sequence[int]) -> Q:
    """Contacts carrying any of the tags."""
    return Q(Exists(Tagging.objects.filter(contact=OuterRef("pk"), tag_id__in=tag_pks)))


def active() -> Q:
    """Active (billable) contacts."""
    return Q(permission_to_send__in=ACTIVE_PERMISSIONS)


def new_subscribers() -> Q:
    """Contacts who opted in within :data:`NEW_SUBSCRIBER_DAYS` days."""
    since = timezone.now() - timedelta(days=NEW_SUBSCRIBER_DAYS)
    return Q(permission_to_send=PermissionToSend.EXPLICIT, opt_in_date__gte=since)


def engaged(level: str) -> Q:
    """Contacts at an engagement level: a hook selecting nobody until campaign tracking exists."""
    return Q(pk__in=[])


def in_segment(account_id: int, segment_pk: int) -> Q:
    """Contacts a segment's criteria select (evaluated by the Segments module when the task runs)."""
    segment = Segment.objects.filter(account_id=account_id, pk=segment_pk, deleted_at__isnull=True).first()
    if segment is None:
        return Q(pk__in=[])
    return Q(pk__in=contacts_matching(segment.account, segment).values("pk"))


def source_condition(account_id: int, source: dict[str, Any]) -> Q:
    """The condition a stored source (``{"kind": ..., "ids"/"value": ...}``) puts on live contacts."""
    kind = source["kind"]
    if kind == "contact_ids":
        return Q(pk__in=source["ids"])
    if kind == "list_ids":
        return on_lists(source["ids"])
    if kind == "tag_ids":
        return tagged(source["ids"])
    if kind == "all_active_contacts":
        return active()
    if kind == "new_subscriber":
        return new_subscribers()
    if kind == "segment_id":
        return in_segment(account_id, source["value"])
    if kind == "engagement_level":
        return engaged(source["value"])
    raise ValueError(f"unknown source kind {kind!r}")


def source_contacts(account_id: int, source: dict[str, Any]) -> QuerySet[Contact]:
    """The live contacts a stored source selects, less its ``exclude`` list."""
    contacts = live_contacts(account_id).filter(source_condition(account_id, source))
    if source.get("exclude"):
        contacts = contacts.exclude(pk__in=source["exclude"])
    return contacts
