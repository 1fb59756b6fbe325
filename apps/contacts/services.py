"""Named actions of the contacts pages: each wraps V3 client calls; none reads a database of its own.

Views parse the request, call one of these with the client of the active connection
(``apps.accounts.services.client_for``) and render what comes back. The connection's token scopes
every call to its Constant Contact account, so nothing here can reach another workspace's data.

The choices the pages offer (lists, tags, segments, custom fields) are read and remembered in
:mod:`apps.contacts.choices`; the names behind a contact's ids come from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from apps.ctct import Client
from ctctdash.pages import PAGE_SIZE, Choice

from .choices import by_name, custom_fields, forget_choices, list_choices, tag_choices

__all__ = [
    "DETAIL_INCLUDE",
    "PAGE_SIZE",
    "ContactDetail",
    "ContactFilters",
    "ContactPage",
    "BULK_ACTIONS",
    "BulkWork",
    "ContactRow",
    "Note",
    "contact_detail",
    "create_contact",
    "delete_contact",
    "get_contact",
    "list_contacts",
    "note_of",
    "resubscribe_contact",
    "searches_any_part",
    "start_bulk_work",
    "update_contact",
]

# Every sub-resource: the detail page shows them all, and an edit (a replacing PUT) must resend them.
DETAIL_INCLUDE = ("custom_fields", "list_memberships", "phone_numbers", "street_addresses", "taggings", "notes")


# --- The contacts list ------------------------------------------------------------------------

# Email permission (``permission_to_send``) in a word or two, for tables and badges.
PERMISSION_LABELS = {
    "implicit": "Implicit",
    "explicit": "Explicit",
    "not_set": "Not set",
    "pending_confirmation": "Pending confirmation",
    "temp_hold": "On hold",
    "unsubscribed": "Unsubscribed",
}


@dataclass(frozen=True)
class ContactFilters:
    """What the contacts list is narrowed to; every part is optional."""

    email: str = ""  # the spec's filter: one whole email address
    search: str = ""  # the built-in service's addition: any part of a name or the email (``searches_any_part``)
    status: str = ""
    list_id: str = ""
    tag_id: str = ""
    segment_id: str = ""

    def api_params(self, limit: int = PAGE_SIZE) -> dict[str, Any]:
        """The ``GET /contacts`` parameters for the first page."""
        if self.segment_id:
            # The API takes segment_id with limit alone: no other filter, include or count.
            return {"segment_id": self.segment_id, "limit": limit}
        params: dict[str, Any] = {"limit": limit, "include": ["list_memberships"], "include_count": True}
        wanted = {
            "email": self.email,
            "search": self.search,
            "status": self.status,
            "lists": self.list_id,
            "tags": self.tag_id,
        }
        params.update({name: value for name, value in wanted.items() if value})
        return params

    @property
    def narrowed(self) -> bool:
        """Whether any filter is set (so an empty page means "no matches", not "no contacts")."""
        return any((self.email, self.search, self.status, self.list_id, self.tag_id, self.segment_id))


@dataclass(frozen=True)
class ContactRow:
    """What the list shows of one contact."""

    contact_id: str
    email: str
    name: str
    permission: str
    lists: int | None  # None when the page did not load memberships (a segment's page)
    updated_at: datetime | None
    deleted: bool

    @property
    def permission_label(self) -> str:
        """The email permission in words ("" for a contact without an email address)."""
        return PERMISSION_LABELS.get(self.permission, self.permission.replace("_", " ").capitalize())


@dataclass(frozen=True)
class ContactPage:
    """One page of the list: its rows, the total when the API counted, and the next page's cursor."""

    rows: list[ContactRow]
    count: int | None
    next_cursor: str | None


def _full_name(contact: Mapping[str, Any]) -> str:
    return " ".join(part for part in (contact.get("first_name"), contact.get("last_name")) if part)


def _when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def _row(contact: Mapping[str, Any]) -> ContactRow:
    email = contact.get("email_address") or {}
    memberships = contact.get("list_memberships")
    return ContactRow(
        contact_id=str(contact["contact_id"]),
        email=email.get("address", ""),
        name=_full_name(contact),
        permission=email.get("permission_to_send", ""),
        lists=len(memberships) if memberships is not None else None,
        updated_at=_when(contact.get("updated_at")),
        deleted=bool(contact.get("deleted_at")),
    )


def searches_any_part(client: Client) -> bool:
    """Whether the client's connection is the built-in service, which answers ``GET /contacts?search=``.

    The rule: a connection is the built-in service when its API base URL is this site's own ``/v3``
    (``SITE_URL``), where the service's routes are mounted. ``CTCT_API_BASE_URL`` says where new
    connections go, not what answers there (it may name the real Constant Contact), so it decides
    nothing; a connection made before the settings changed keeps the answer its own URL gives.
    """
    return client.config.base_url.rstrip("/") == f"{settings.SITE_URL.rstrip('/')}/v3"


def list_contacts(client: Client, filters: ContactFilters, cursor: str | None = None) -> ContactPage:
    """A page of contacts: the first for ``filters``, or the one a previous page's ``next_cursor`` names.

    The cursor is the client's (``apps.ctct.Page.next_cursor``): the query of the API's next link,
    which only ever asks ``GET /contacts``. A stale or altered one is the API's 400.
    """
    page = client.page("getContacts", cursor, **filters.api_params())
    return ContactPage(rows=[_row(c) for c in page.items], count=page.total, next_cursor=page.next_cursor)


# --- Bulk work on the list -------------------------------------------------------------------------

# What the table's selection can be given to, each a V3 bulk activity (the target is a list or a tag).
BULK_ACTIONS = {
    "add_list": "Add to list",
    "remove_list": "Remove from list",
    "tag": "Add tag",
    "untag": "Remove tag",
    "delete": "Delete",
}
# The activities take at most 500 contact ids (``source.contact_ids`` maxItems); more go in several.
CONTACT_IDS_PER_ACTIVITY = 500
_FILTER_NAMES = ("email", "search", "status", "list_id", "tag_id", "segment_id")


@dataclass(frozen=True)
class BulkWork:
    """One bulk change asked for from the table: the action, its list or tag, and which contacts."""

    action: str
    target_id: str = ""  # the list or tag; none for a delete
    contact_ids: tuple[str, ...] = ()
    all_matching: bool = False  # every contact the filters match, on every page
    filters: ContactFilters = field(default_factory=ContactFilters)


def _only(filters: ContactFilters, name: str) -> bool:
    """Whether ``name`` is the one filter in use."""
    return bool(getattr(filters, name)) and not any(getattr(filters, n) for n in _FILTER_NAMES if n != name)


def _matching_source(work: BulkWork) -> dict[str, Any] | None:
    """The activity's own source meaning exactly "every contact the filters match", if the spec has one.

    A list, a tag or a segment alone, or the ``active`` status alone (``all_active_contacts`` is
    GET /contacts' ``active``); the contact delete takes only lists. Anything else is None: the
    ids are then read from the listing itself.
    """
    filters, action = work.filters, work.action
    if _only(filters, "list_id"):
        return {"list_ids": [filters.list_id]}
    if action == "delete":
        return None
    if _only(filters, "tag_id"):
        return {"tag_ids": [filters.tag_id]}
    if action == "add_list" and filters.segment_id and filters.segment_id.isdigit():
        return {"segment_id": int(filters.segment_id)}  # a segment is applied alone (api_params)
    if _only(filters, "status") and filters.status == "active":
        return {"all_active_contacts": True}
    return None


def _matching_ids(client: Client, filters: ContactFilters) -> list[str]:
    """Every contact id the filters match, read page by page (as many as a page holds)."""
    params = {k: v for k, v in filters.api_params(limit=CONTACT_IDS_PER_ACTIVITY).items() if k != "include_count"}
    params.pop("include", None)  # ids are all that is needed
    return [str(c["contact_id"]) for c in client.paginate("getContacts", **params)]


def start_bulk_work(client: Client, work: BulkWork) -> list[str]:
    """Start the activities that do ``work``; their ids, in order (none when nothing is selected)."""
    source = _matching_source(work) if work.all_matching else None
    if source is not None:
        sources = [source]
    else:
        ids = _matching_ids(client, work.filters) if work.all_matching else list(work.contact_ids)
        step = CONTACT_IDS_PER_ACTIVITY
        sources = [{"contact_ids": ids[i : i + step]} for i in range(0, len(ids), step)]
    group = client.bulk_activities
    start: dict[str, Callable[..., dict[str, Any]]] = {
        "add_list": group.post_list_add_contact,
        "remove_list": group.post_list_remove_contact,
        "tag": group.post_tag_add_contact,
        "untag": group.post_tag_remove_contact,
        "delete": group.post_contact_delete,
    }
    targets = "list_ids" if work.action in ("add_list", "remove_list") else "tag_ids"
    started = []
    for part in sources:
        body = part if work.action == "delete" else {"source": part, targets: [work.target_id]}
        started.append(str(start[work.action](body=body)["activity_id"]))
    return started


# --- One contact ----------------------------------------------------------------------------------


def get_contact(client: Client, contact_id: str) -> dict[str, Any]:
    """The contact with every sub-resource; raises ``apps.ctct.NotFound`` for an id of no contact here."""
    contact: dict[str, Any] = client.contacts.get_contact(contact_id, include=list(DETAIL_INCLUDE))
    return contact


@dataclass(frozen=True)
class FieldValue:
    """A custom field's value as the page shows it."""

    label: str
    value: str


@dataclass(frozen=True)
class Note:
    """A note about the contact, as its page shows it."""

    note_id: str
    created_at: datetime | None
    content: str


@dataclass
class ContactDetail:
    """A contact with the names behind its ids: lists, tags and custom field labels."""

    contact: dict[str, Any]
    row: ContactRow
    lists: list[Choice] = field(default_factory=list)
    tags: list[Choice] = field(default_factory=list)
    custom_fields: list[FieldValue] = field(default_factory=list)
    updated_at: datetime | None = None
    created_at: datetime | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def sms_number(self) -> str:
        """The SMS number, however the server names it (``full_sms_address`` or ``sms_address``)."""
        channel = self.contact.get("sms_channel") or {}
        return str(channel.get("full_sms_address") or channel.get("sms_address") or "")

    @property
    def sms_consent(self) -> dict[str, Any]:
        """The SMS channel's consent: permission, type and its opt-in or opt-out date ({} without SMS)."""
        consents = (self.contact.get("sms_channel") or {}).get("sms_channel_consents") or [{}]
        consent = dict(consents[0])
        permission = str(consent.get("sms_consent_permission") or "")
        consent["permission_label"] = PERMISSION_LABELS.get(permission, permission.replace("_", " ").capitalize())
        consent["since"] = _when(consent.get("opt_in_date") or consent.get("opt_out_date"))
        return consent

    @property
    def unsubscribed(self) -> bool:
        """Only unsubscribed contacts can be asked to resubscribe."""
        return self.row.permission == "unsubscribed" and not self.row.deleted


def _named(client: Client, ids: Sequence[Any], load: Callable[[Client], list[Choice]]) -> list[Choice]:
    """Ids with their names; remembered choices that miss an id (made a moment ago) are read again."""
    wanted = [str(i) for i in ids]
    names = {c.id: c.name for c in load(client)}
    if any(i not in names for i in wanted):
        forget_choices(client)
        names = {c.id: c.name for c in load(client)}
    return by_name([Choice(i, names.get(i, i)) for i in wanted])


def _field_value(value: Mapping[str, Any], definitions: Mapping[str, Mapping[str, Any]]) -> FieldValue:
    definition = definitions.get(str(value.get("custom_field_id")), {})
    label = str(definition.get("label") or value.get("custom_field_id"))
    choice_ids = [str(c) for c in value.get("choice_ids") or []]
    if choice_ids:
        labels = {str(c["choice_id"]): c.get("choice_label", "") for c in definition.get("choices") or []}
        return FieldValue(label, ", ".join(labels.get(c, c) for c in choice_ids))
    return FieldValue(label, str(value.get("value", "")))


def note_of(note: Mapping[str, Any]) -> Note:
    """A note of the API's contact, its date parsed."""
    return Note(str(note.get("note_id", "")), _when(note.get("created_at")), str(note.get("content", "")))


def contact_detail(client: Client, contact_id: str) -> ContactDetail:
    """The contact and everything its page names: list, tag and custom field labels (from the cache)."""
    contact = get_contact(client, contact_id)
    definitions = {str(f["custom_field_id"]): f for f in custom_fields(client)} if contact["custom_fields"] else {}
    return ContactDetail(
        contact=contact,
        row=_row(contact),
        lists=_named(client, contact["list_memberships"], list_choices) if contact["list_memberships"] else [],
        tags=_named(client, contact["taggings"], tag_choices) if contact["taggings"] else [],
        custom_fields=sorted(
            (_field_value(v, definitions) for v in contact["custom_fields"]), key=lambda f: f.label.casefold()
        ),
        updated_at=_when(contact.get("updated_at")),
        created_at=_when(contact.get("created_at")),
        notes=[note_of(n) for n in contact["notes"]],
    )


# --- Changes ----------------------------------------------------------------------------------------


def create_contact(client: Client, body: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /contacts``; raises ``BadRequest`` (a field is wrong) or ``Conflict`` (the email exists)."""
    created: dict[str, Any] = client.contacts.create_contact(body=body)
    return created


def update_contact(client: Client, contact_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """``PUT /contacts/{id}``: replaces the contact with ``body``, which must carry every current value."""
    updated: dict[str, Any] = client.contacts.put_contact(contact_id, body=body)
    return updated


def delete_contact(client: Client, contact_id: str) -> None:
    """``DELETE /contacts/{id}``."""
    client.contacts.delete_contact(contact_id)


def resubscribe_contact(client: Client, contact_id: str, list_ids: Sequence[str]) -> None:
    """``PUT /contacts/resubscribe/{id}``: an unsubscribed contact is asked to confirm, onto these lists."""
    client.contacts.resubscribe_contact(contact_id, body={"list_ids": list(list_ids)})
