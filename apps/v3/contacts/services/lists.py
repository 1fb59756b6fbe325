"""Contact Lists: listing with membership counts, create, update, delete, V2 id cross-references.

Writes check the whole request first and then run in one transaction, so a refused write leaves
the account as it was. Names are checked and saved as every named resource's are
(:mod:`apps.v3.common.named`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from apps.v3.account.models import Account
from apps.v3.common.named import clean_name, rename, save_named
from apps.v3.common.text import text_problem
from apps.v3.contacts.models import ContactList, ListMembership, PermissionToSend, SmsPermission
from apps.v3.gate.errors import V3Error, bad_request, not_found

MAX_LIMIT = 500  # SPEC-NOTES: the operation says 1-500 although its schema allows 1000.
MAX_XREFS = 500
MAX_NAME = 255
# The largest primary key the database can hold; a larger "sequence id" cannot name a list.
MAX_SEQUENCE_ID = 2**63 - 1
STATUSES = ("active", "deleted")
# "Active" members are the ones a send would reach on the channel being counted.
MAILABLE = Q(contact__permission_to_send__in=[PermissionToSend.IMPLICIT, PermissionToSend.EXPLICIT]) & ~Q(
    contact__email_address=""
)
TEXTABLE = Q(contact__sms_permission=SmsPermission.EXPLICIT)


def _name_conflict(name: str) -> V3Error:
    return V3Error(409, "api.conflict", f"name: a contact list named {name!r} already exists")


def _rename_conflict(name: str) -> V3Error:
    # putList declares no 409; its declared 400 carries the conflict (docs/decisions/contacts.md#put-list-has-no-409).
    return bad_request(f"name: a contact list named {name!r} already exists", key="api.conflict")


def live_lists(account: Account) -> QuerySet[ContactList]:
    """The account's lists that are not deleted (list names are unique among these)."""
    return ContactList.objects.of(account).live()


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    """What ``GET /contact_lists`` asked for, checked."""

    limit: int
    cursor: str | None
    statuses: tuple[str, ...]
    name: str | None
    include_count: bool
    count_mode: str | None  # all | active | None
    sms: bool


def list_query(params: Mapping[str, Any], raw_status: str | None) -> ListQuery:
    """Check the parsed query of ``getLists``; ``status`` is read raw because it takes a list."""
    limit = params["limit"]
    if limit > MAX_LIMIT:
        raise bad_request(f"limit: must be at most {MAX_LIMIT}")
    statuses = parse_statuses(raw_status)
    # include_sms_membership_count applies only with channel_type=sms, as the spec says; lists
    # here serve both channels, so channel_type otherwise selects nothing.
    sms = params.get("channel_type") == "sms" and bool(params.get("include_sms_membership_count"))
    mode = params.get("include_membership_count") or ("all" if sms else None)
    return ListQuery(
        limit=limit,
        cursor=params.get("cursor"),
        statuses=statuses,
        name=params.get("name"),
        include_count=bool(params.get("include_count")),
        count_mode=mode,
        sms=sms,
    )


def parse_statuses(raw: str | None) -> tuple[str, ...]:
    """``status``: comma-separated ``all``/``active``/``deleted``; live lists only by default."""
    if raw is None or not raw.strip():
        return ("active",)
    chosen: set[str] = set()
    for item in (part.strip() for part in raw.split(",")):
        if item == "all":
            chosen.update(STATUSES)
        elif item in STATUSES:
            chosen.add(item)
        else:
            raise bad_request(f"status: {item!r} is not one of all, active, deleted")
    return tuple(s for s in STATUSES if s in chosen)


def filtered_lists(account: Account, query: ListQuery) -> QuerySet[ContactList]:
    """The account's lists with the asked-for statuses and name, unordered and unpaged."""
    lists = ContactList.objects.filter(account=account)
    if query.statuses == ("active",):
        lists = lists.filter(deleted_at__isnull=True)
    elif query.statuses == ("deleted",):
        lists = lists.filter(deleted_at__isnull=False)
    if query.name is not None:
        lists = lists.filter(name__iexact=query.name)
    return lists


def membership_counts(lists: Iterable[ContactList], mode: str | None, sms: bool = False) -> dict[int, int]:
    """Live members per list (``active``: only those a send would reach), in one aggregate query."""
    pks = [lst.pk for lst in lists]
    if not pks or mode is None:
        return {}
    members = ListMembership.objects.filter(contact_list_id__in=pks, contact__deleted_at__isnull=True)
    if sms:
        members = members.exclude(contact__sms_address="")
    if mode == "active":
        members = members.filter(TEXTABLE if sms else MAILABLE)
    rows = members.values("contact_list_id").annotate(n=Count("pk")).values_list("contact_list_id", "n")
    return dict(rows)


def find_list(account: Account, list_id: Any, live: bool = False) -> ContactList:
    """The account's list with this id (deleted ones too unless ``live``); 404 otherwise."""
    lists = live_lists(account) if live else ContactList.objects.filter(account=account)
    found = lists.filter(list_id=list_id).first()
    if found is None:
        raise not_found(f"No contact list {list_id} in this account.")
    return found


def list_xrefs(account: Account, sequence_ids: list[str]) -> list[tuple[int, Any]]:
    """The account's lists named by V2 sequence ids (the row id), in the order asked; unknown ids are left out."""
    if len(sequence_ids) > MAX_XREFS:
        raise bad_request(f"sequence_ids: at most {MAX_XREFS} ids are allowed, got {len(sequence_ids)}")
    wanted: list[int] = []
    for raw in sequence_ids:
        if not raw.isdigit() or not 0 < int(raw) <= MAX_SEQUENCE_ID:
            raise bad_request(f"sequence_ids: {raw!r} is not a list sequence id")
        wanted.append(int(raw))
    found = dict(ContactList.objects.filter(account=account, pk__in=wanted).values_list("pk", "list_id"))
    return [(pk, found[pk]) for pk in dict.fromkeys(wanted) if pk in found]


# --- writing -----------------------------------------------------------------------------------


def create_list(account: Account, body: Mapping[str, Any]) -> ContactList:
    """A new list; 409 when a live list has the name."""
    name = clean_name(body["name"])
    contact_list = ContactList(
        account=account,
        name=name,
        description=_description(body.get("description", "")),
        favorite=body.get("favorite", False),
    )
    return save_named(contact_list, live_lists(account), lambda: _name_conflict(name))


def update_list(account: Account, list_id: Any, body: Mapping[str, Any]) -> ContactList:
    """Rename or re-describe a live list; omitted optional fields keep their values."""
    name = clean_name(body["name"])
    description = _description(body["description"]) if "description" in body else None
    with transaction.atomic():
        contact_list = find_list(account, list_id, live=True)
        if description is not None:
            contact_list.description = description
        if "favorite" in body:
            contact_list.favorite = body["favorite"]
        return rename(contact_list, name, live_lists(account), lambda: _rename_conflict(name))


def _description(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise bad_request(f"description: {problem}")
    return value
