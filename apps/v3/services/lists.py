"""Contact Lists: listing with membership counts, create, update, delete, V2 id cross-references.

Writes check the whole request first and then run in one transaction, so a refused write leaves
the account as it was. ``clean_name`` and ``save_named`` serve tags and segments as well: each
of the three names its resources uniquely within an account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.v3.gate.errors import V3Error, bad_request, not_found
from apps.v3.models import Account, ContactList, ListMembership, PermissionToSend, Segment, SmsPermission, Tag
from apps.v3.models.text import text_problem

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

# The three resources named uniquely within an account.
Named = TypeVar("Named", ContactList, Tag, Segment)


def clean_name(value: Any, field: str = "name", max_length: int = MAX_NAME) -> str:
    """A resource name as given, refused when blank, too long for its column, or not storable text."""
    if not isinstance(value, str):
        raise bad_request(f"{field}: must be a string")
    if not value.strip():
        raise bad_request(f"{field}: must not be blank")
    if len(value) > max_length:
        raise bad_request(f"{field}: longer than {max_length} characters")
    problem = text_problem(value)
    if problem:
        raise bad_request(f"{field}: {problem}")
    return value


def save_named(instance: Named, peers: QuerySet[Named], error: Callable[[], V3Error]) -> Named:
    """Save ``instance`` unless another of ``peers`` has its name; a save that loses a race raises too."""
    if peers.filter(name=instance.name).exclude(pk=instance.pk).exists():
        raise error()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # Two requests may pass the check together; the unique constraint decides, and the
        # loser gets the same answer as if it had come second.
        raise error() from None
    return instance


def _name_conflict(name: str) -> V3Error:
    return V3Error(409, "api.conflict", f"name: a contact list named {name!r} already exists")


def _rename_conflict(name: str) -> V3Error:
    # putList declares no 409; its declared 400 carries the conflict (docs/decisions.md).
    return bad_request(f"name: a contact list named {name!r} already exists", key="api.conflict")


def live_lists(account: Account) -> QuerySet[ContactList]:
    """The account's lists that are not deleted (list names are unique among these)."""
    return ContactList.objects.filter(account=account, deleted_at__isnull=True)


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
        contact_list.name = name
        if description is not None:
            contact_list.description = description
        if "favorite" in body:
            contact_list.favorite = body["favorite"]
        return save_named(contact_list, live_lists(account), lambda: _rename_conflict(name))


def hide_list(account: Account, list_id: Any) -> int:
    """Mark a live list deleted, so it leaves every listing at once; its row id (404 if none is live).

    Its memberships stay until the ``list_delete`` activity the caller queues removes them. The
    update is conditional, so of two concurrent deletes of one list only one finds it live.
    """
    now = timezone.now()
    pk = live_lists(account).filter(list_id=list_id).values_list("pk", flat=True).first()
    if pk is None or not live_lists(account).filter(pk=pk).update(deleted_at=now, updated_at=now):
        raise not_found(f"No contact list {list_id} in this account.")
    return int(pk)


def _description(value: Any) -> str:
    if not isinstance(value, str):
        raise bad_request("description: must be a string")
    problem = text_problem(value)
    if problem:
        raise bad_request(f"description: {problem}")
    return value
