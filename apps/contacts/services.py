"""Named actions of the contacts pages: each wraps V3 client calls; none reads a database of its own.

Views parse the request, call one of these with the client of the active connection
(``apps.accounts.services.client_for``) and render what comes back. The connection's token scopes
every call to its Constant Contact account, so nothing here can reach another workspace's data.

The choices the pages offer (lists, tags, segments, custom fields) are read through the client
too, and kept for a minute per connection: the list page would otherwise spend four of the
application's four requests a second on every view. Pages that change lists, tags, segments or
custom fields call :func:`forget_choices` so their change shows at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.core.cache import cache
from django.utils.dateparse import parse_datetime

from apps.ctct import Client, Conflict, CtctError

from .services_paging import PAGE_SIZE, fetch_page

__all__ = [
    "DETAIL_INCLUDE",
    "PAGE_SIZE",
    "ApiFieldError",
    "Choice",
    "ContactDetail",
    "ContactFilters",
    "ContactPage",
    "ContactRow",
    "Note",
    "add_api_errors",
    "api_field_errors",
    "contact_detail",
    "create_contact",
    "custom_fields",
    "delete_contact",
    "forget_choices",
    "get_contact",
    "list_contacts",
    "list_choices",
    "note_of",
    "resubscribe_contact",
    "segment_choices",
    "tag_choices",
    "update_contact",
]

# Every sub-resource: the detail page shows them all, and an edit (a replacing PUT) must resend them.
DETAIL_INCLUDE = ("custom_fields", "list_memberships", "phone_numbers", "street_addresses", "taggings", "notes")
# Long enough to spare the rate limit while someone pages and filters, short enough that a list
# made elsewhere (another tab, an integration) appears without anyone having to do anything.
CHOICES_TTL = 60
# The segment pages' preview saves its criteria as a segment named so and deletes it at once.
DRAFT_SEGMENT_PREFIX = "__preview "
# The API's own limits per page, so that each choice list is usually one request.
_CHOICE_PAGE = {"lists": 500, "tags": 500, "segments": 1000, "custom_fields": 100}


# --- Choices: lists, tags, segments and custom fields, through the client -----------------------


@dataclass(frozen=True)
class Choice:
    """One list, tag or segment to pick: its id (as text) and its name."""

    id: str
    name: str


def _cache_key(client: Client, what: str) -> str | None:
    """Per connection (the client's refresh-lock name); None for a client no connection owns."""
    scope = client.config.connection_key
    return f"contacts.choices:{scope}:{what}" if scope else None


def _cached(client: Client, what: str, load: Callable[[], Any]) -> Any:
    key = _cache_key(client, what)
    if key is None:
        return load()
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, CHOICES_TTL)
    return value


def forget_choices(client: Client) -> None:
    """Drop the connection's remembered lists, tags, segments and custom fields (after changing one)."""
    keys = [_cache_key(client, what) for what in _CHOICE_PAGE]
    cache.delete_many([key for key in keys if key])


def _by_name(choices: list[Choice]) -> list[Choice]:
    return sorted(choices, key=lambda c: (c.name.casefold(), c.id))


def _choices(client: Client, what: str, id_key: str, items: Callable[[], Iterable[dict[str, Any]]]) -> list[Choice]:
    def load() -> list[Choice]:
        return _by_name([Choice(str(item[id_key]), item.get("name", "")) for item in items()])

    result: list[Choice] = _cached(client, what, load)
    return result


def list_choices(client: Client) -> list[Choice]:
    """The account's contact lists, by name."""
    return _choices(client, "lists", "list_id", lambda: client.contact_lists.iter_lists(limit=_CHOICE_PAGE["lists"]))


def tag_choices(client: Client) -> list[Choice]:
    """The account's tags, by name."""
    return _choices(client, "tags", "tag_id", lambda: client.contact_tags.iter_tags(limit=_CHOICE_PAGE["tags"]))


def segment_choices(client: Client) -> list[Choice]:
    """The account's segments, by name, without the drafts a segment preview saves for a moment."""
    limit = _CHOICE_PAGE["segments"]
    segments = _choices(client, "segments", "segment_id", lambda: client.segments.iter_account_segments(limit=limit))
    return [s for s in segments if not s.name.startswith(DRAFT_SEGMENT_PREFIX)]


def custom_fields(client: Client) -> list[dict[str, Any]]:
    """The account's custom field definitions (label, type, choices), by label."""

    def load() -> list[dict[str, Any]]:
        fields = client.contacts_custom_fields.iter_custom_fields(limit=_CHOICE_PAGE["custom_fields"])
        return sorted(fields, key=lambda f: (str(f.get("label", "")).casefold(), f["custom_field_id"]))

    result: list[dict[str, Any]] = _cached(client, "custom_fields", load)
    return result


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

    email: str = ""
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
        wanted = {"email": self.email, "status": self.status, "lists": self.list_id, "tags": self.tag_id}
        params.update({name: value for name, value in wanted.items() if value})
        return params

    @property
    def narrowed(self) -> bool:
        """Whether any filter is set (so an empty page means "no matches", not "no contacts")."""
        return any((self.email, self.status, self.list_id, self.tag_id, self.segment_id))


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


def list_contacts(client: Client, filters: ContactFilters, cursor: str | None = None) -> ContactPage:
    """A page of contacts: the first for ``filters``, or the one a previous page's ``next_cursor`` names.

    The cursor is the query of the API's ``_links.next.href`` (``services_paging``): the link's
    own cursor and whatever filters the server repeats in it, so it works on any V3 server and
    can only ever ask ``GET /contacts``. A stale or altered one is the API's 400.
    """
    page = fetch_page(client, "getContacts", cursor, total_key="contacts_count", **filters.api_params())
    return ContactPage(
        rows=[_row(c) for c in page.items],
        count=int(page.total) if page.total is not None else None,
        next_cursor=page.next_token,
    )


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
    return _by_name([Choice(i, names.get(i, i)) for i in wanted])


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


# --- API errors at form fields ---------------------------------------------------------------------

# "first_name: ...", "email_address.address: ...", "phone_numbers[1].kind: ...", and
# "birthday_month, birthday_day: ..." (several fields at once).
_NAME = r"[A-Za-z_][\w.\[\]]*"
_FIELD_MESSAGE = re.compile(rf"^(?P<paths>{_NAME}(?:, {_NAME})*): (?P<message>.+)$", re.DOTALL)
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class ApiFieldError:
    """One message of an API error: the body paths it names (dotted, ``a.0.b``) and its text without them."""

    paths: tuple[str, ...]
    message: str
    full_message: str


def api_field_errors(error: CtctError) -> list[ApiFieldError]:
    """Each entry of the error, split into the fields its message names (none when it names none)."""
    found = []
    for entry in error.errors:
        text = entry.error_message.strip()
        match = _FIELD_MESSAGE.match(text)
        if match is None:
            found.append(ApiFieldError((), text, text))
            continue
        paths = tuple(_INDEX.sub(r".\1", p) for p in match["paths"].split(", "))
        found.append(ApiFieldError(paths, match["message"], text))
    return found


def _field_for(path: str, fields: Mapping[str, str]) -> str | None:
    """The form field of the longest known prefix of ``path`` (``custom_fields.2.value`` -> ``custom_fields.2``)."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        name = fields.get(".".join(parts[:end]))
        if name is not None:
            return name
    return None


def add_api_errors(
    form: forms.Form, error: CtctError, fields: Mapping[str, str], conflict_field: str | None = None
) -> None:
    """Show the API's messages at the form fields they name; the rest above the form.

    ``fields`` maps body paths (dotted) to form field names. ``conflict_field`` takes a 409 whose
    message names no field: on a create that is the duplicate email, the only conflict
    ``createContact`` declares, whatever words a server puts it in.
    """
    for item in api_field_errors(error):
        name = next((n for n in (_field_for(p, fields) for p in item.paths) if n in form.fields), None)
        if name is None and not item.paths and isinstance(error, Conflict) and conflict_field in form.fields:
            name = conflict_field
        form.add_error(name, item.message if name else item.full_message)
