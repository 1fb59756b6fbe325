"""Named actions of the lists, tags, custom fields and segments pages, each through the V3 client.

Views parse the request, call one of these with the active connection's client
(``apps.accounts.services.client_for``) and render what comes back; the token scopes every call
to the connection's account. Each change also drops the connection's remembered choices
(``choices.forget_choices``) so the contacts pages offer the new list, tag or field at once.

**Previewing unsaved segment criteria.** The API evaluates only *saved* segments
(``GET /contacts?segment_id=``), and nothing else in it evaluates criteria. A preview therefore
saves the criteria as a draft segment named ``__preview <uuid>``, reads its contacts, and deletes
it again in a ``finally``. The draft is briefly visible to anything listing the account's
segments; the dashboard hides names with the draft prefix, and the unique name keeps concurrent
previews apart. Saving a draft also runs the API's own checks, so a preview reports exactly the
criteria errors a save would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from apps.ctct import Client, Page
from ctctdash.pages import PAGE_SIZE, with_dates

from .choices import DRAFT_SEGMENT_PREFIX, custom_fields, forget_choices, is_draft, list_choices, tag_choices

__all__ = [
    "CUSTOM_FIELD_TYPES",
    "SELECT_TYPES",
    "Catalog",
    "Preview",
    "builder_catalog",
    "create_custom_field",
    "create_list",
    "create_segment",
    "create_tag",
    "custom_field_page",
    "delete_custom_field",
    "delete_list",
    "delete_segment",
    "delete_tag",
    "get_custom_field",
    "get_list",
    "get_segment",
    "get_tag",
    "list_members",
    "list_page",
    "preview_criteria",
    "rename_custom_field",
    "rename_tag",
    "segment_matches",
    "segment_page",
    "set_list_favorite",
    "tag_page",
    "update_custom_field",
    "update_list",
    "update_segment",
]

# --- Lists -------------------------------------------------------------------------------------

# How many members a list's page shows; the contacts pages list them all.
MEMBERS_SHOWN = 10


def list_page(client: Client, cursor: str | None = None) -> Page:
    """One page of the account's lists with their membership counts and the number of lists."""
    page = client.page("getLists", cursor, limit=PAGE_SIZE, include_count=True, include_membership_count="all")
    return replace(page, items=[with_dates(item) for item in page.items])


def get_list(client: Client, list_id: str) -> dict[str, Any]:
    """One list with its membership count."""
    return with_dates(client.contact_lists.get_list(list_id, include_membership_count="all"))


def list_members(client: Client, list_id: str) -> list[dict[str, Any]]:
    """The first members of a list, for its page."""
    body = client.contacts.get_contacts(lists=[list_id], limit=MEMBERS_SHOWN)
    return list(body.get("contacts") or [])


def create_list(client: Client, *, name: str, description: str = "", favorite: bool = False) -> dict[str, Any]:
    """Create a list."""
    body: dict[str, Any] = {"name": name, "favorite": favorite}
    if description:
        body["description"] = description
    created = client.contact_lists.create_list(body=body)
    forget_choices(client)
    return created


def update_list(
    client: Client, list_id: str, *, name: str, description: str = "", favorite: bool = False
) -> dict[str, Any]:
    """Replace a list's name, description and favorite flag.

    Every field is sent: the spec's PUT replaces the list, and Constant Contact resets what a PUT leaves out.
    """
    saved = client.contact_lists.put_list(
        list_id, body={"name": name, "description": description, "favorite": favorite}
    )
    forget_choices(client)
    return saved


def set_list_favorite(client: Client, list_id: str, favorite: bool) -> dict[str, Any]:
    """Mark or unmark a list as a favorite, keeping its name and description; answer it as ``get_list`` does."""
    current = client.contact_lists.get_list(list_id)
    update_list(client, list_id, name=current["name"], description=current.get("description") or "", favorite=favorite)
    return get_list(client, list_id)


def delete_list(client: Client, list_id: str) -> dict[str, Any]:
    """Delete a list (its contacts stay); the API answers with the activity doing the work."""
    activity = client.contact_lists.delete_list_activity(list_id)
    forget_choices(client)
    return activity


# --- Tags --------------------------------------------------------------------------------------


def tag_page(client: Client, cursor: str | None = None) -> Page:
    """One page of the account's tags with how many contacts carry each."""
    page = client.page("getTags", cursor, limit=PAGE_SIZE, include_count=True)
    return replace(page, items=[with_dates(item) for item in page.items])


def get_tag(client: Client, tag_id: str) -> dict[str, Any]:
    """One tag with its contacts count."""
    return with_dates(client.contact_tags.get_tag(tag_id, include_count=True))


def create_tag(client: Client, *, name: str) -> dict[str, Any]:
    """Create a tag."""
    created = client.contact_tags.post_tag(body={"name": name})
    forget_choices(client)
    return created


def rename_tag(client: Client, tag_id: str, *, name: str) -> dict[str, Any]:
    """Give a tag a new name."""
    renamed = client.contact_tags.put_tag(tag_id, body={"name": name})
    forget_choices(client)
    return renamed


def delete_tag(client: Client, tag_id: str) -> dict[str, Any]:
    """Delete a tag and take it off every contact; the API answers with the activity doing the work."""
    activity = client.contact_tags.delete_tag(tag_id)
    forget_choices(client)
    return activity


# --- Custom fields -----------------------------------------------------------------------------

# The spec's types (its description: text, number, date, drop-down lists and checkboxes), as the API
# spells them, with the words people use for them.
CUSTOM_FIELD_TYPES: dict[str, str] = {
    "string": "Text",
    "number": "Number",
    "currency": "Currency",
    "date": "Date",
    "single_select": "Drop-down (one choice)",
    "multi_select": "Checkboxes (several choices)",
}
SELECT_TYPES = ("single_select", "multi_select")
# An account has at most 100 custom fields, which is also the listing's largest page.
FIELDS_PER_PAGE = 100


def custom_field_page(client: Client, cursor: str | None = None) -> Page:
    """One page of the account's custom fields."""
    page = client.page("getCustomFields", cursor, limit=FIELDS_PER_PAGE)
    return replace(page, items=[_with_type_label(item) for item in page.items])


def get_custom_field(client: Client, custom_field_id: str) -> dict[str, Any]:
    """One custom field with its choices."""
    return _with_type_label(client.contacts_custom_fields.get_custom_field(custom_field_id))


def _with_type_label(item: dict[str, Any]) -> dict[str, Any]:
    """A field as pages show it: dates parsed and ``type_label`` the type in words."""
    kind = str(item.get("type", ""))
    return {**with_dates(item), "type_label": CUSTOM_FIELD_TYPES.get(kind, kind)}


def create_custom_field(client: Client, *, label: str, type: str, choices: list[str] | None = None) -> dict[str, Any]:
    """Create a custom field; drop-down and checkbox fields need their ``choices``."""
    body: dict[str, Any] = {"label": label, "type": type}
    if type in SELECT_TYPES:
        body["choices"] = [
            {"choice_label": choice, "display_order": n} for n, choice in enumerate(choices or [], start=1)
        ]
    created = client.contacts_custom_fields.post_custom_fields(body=body)
    forget_choices(client)
    return created


def rename_custom_field(client: Client, custom_field_id: str, *, label: str) -> dict[str, Any]:
    """Give a custom field a new label (its name follows).

    The PUT replaces a select field's whole choice list, so the current choices are sent back as they
    are: a new label must not cost the contacts their chosen values.
    """
    current = client.contacts_custom_fields.get_custom_field(custom_field_id)
    body: dict[str, Any] = {"label": label}
    if current.get("choices"):
        body["choices"] = [
            {key: choice[key] for key in ("choice_id", "choice_label", "display_order") if key in choice}
            for choice in current["choices"]
        ]
    renamed = client.contacts_custom_fields.put_custom_field(custom_field_id, body=body)
    forget_choices(client)
    return renamed


def update_custom_field(
    client: Client, custom_field_id: str, *, label: str, choices: list[dict[str, Any]]
) -> dict[str, Any]:
    """Replace a select field's label and whole choice list, in the order given.

    A choice with its ``choice_id`` keeps it (and contacts keep it chosen); one without gets a new id;
    a current choice left out is deleted and leaves every contact's value.
    """
    body = {
        "label": label,
        "choices": [{**choice, "display_order": n} for n, choice in enumerate(choices, start=1)],
    }
    saved = client.contacts_custom_fields.put_custom_field(custom_field_id, body=body)
    forget_choices(client)
    return saved


def delete_custom_field(client: Client, custom_field_id: str) -> None:
    """Delete a custom field and every contact's value for it."""
    client.contacts_custom_fields.delete_custom_field(custom_field_id)
    forget_choices(client)


# --- Segments ----------------------------------------------------------------------------------

SORTS = ("date", "name")
# A preview lists this many contacts ...
SAMPLE_SIZE = 10
# ... and counts at most this many, a few requests of the largest page; beyond it says "more than".
COUNT_CAP = 2500
_COUNT_PAGE = 500


@dataclass(frozen=True)
class Preview:
    """The contacts criteria select: how many (at most ``COUNT_CAP``, ``more`` beyond it) and the first few."""

    count: int
    more: bool
    contacts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Catalog:
    """What the builder's field choices offer: the account's custom fields, lists and tags as (id, name)."""

    custom_fields: list[tuple[str, str]]
    lists: list[tuple[str, str]]
    tags: list[tuple[str, str]]

    def names(self) -> dict[str, str]:
        """Every id the catalog knows with its name, to describe saved criteria in words."""
        return dict(self.custom_fields + self.lists + self.tags)


def segment_page(client: Client, cursor: str | None = None, sort_by: str = "date") -> Page:
    """One page of the account's segments (drafts left out), most recently edited or by name."""
    page = client.page("getAccountSegments", cursor, limit=PAGE_SIZE, sort_by=sort_by if sort_by in SORTS else "date")
    items = [with_dates(s, ("created_at", "edited_at")) for s in page.items if not is_draft(str(s.get("name", "")))]
    return replace(page, items=items)


def get_segment(client: Client, segment_id: int) -> dict[str, Any]:
    """One segment with its criteria."""
    return with_dates(client.segments.get_segment_detail(segment_id), ("created_at", "edited_at"))


def create_segment(client: Client, *, name: str, criteria: str) -> dict[str, Any]:
    """Save a new segment."""
    created = client.segments.create_segment(body={"name": name, "segment_criteria": criteria})
    forget_choices(client)
    return created


def update_segment(client: Client, segment_id: int, *, name: str, criteria: str) -> dict[str, Any]:
    """Save a segment's name and criteria; a change of name alone is a rename (``PATCH .../name``)."""
    current = client.segments.get_segment_detail(segment_id)
    if current.get("segment_criteria") != criteria:
        saved = client.segments.update_segment(segment_id, body={"name": name, "segment_criteria": criteria})
    elif current.get("name") != name:
        saved = client.segments.update_segment_name(segment_id, body={"name": name})
    else:
        return current
    forget_choices(client)
    return saved


def delete_segment(client: Client, segment_id: int) -> None:
    """Delete a segment."""
    client.segments.delete_segment(segment_id)
    forget_choices(client)


def segment_matches(client: Client, segment_id: int) -> Preview:
    """The contacts a saved segment selects now."""
    contacts = client.contacts.iter_contacts(segment_id=str(segment_id), limit=_COUNT_PAGE)
    counted = list(islice(contacts, COUNT_CAP + 1))
    return Preview(count=min(len(counted), COUNT_CAP), more=len(counted) > COUNT_CAP, contacts=counted[:SAMPLE_SIZE])


def preview_criteria(client: Client, criteria: str) -> Preview:
    """The contacts unsaved ``criteria`` would select, through a draft segment deleted afterwards."""
    draft = create_segment(client, name=f"{DRAFT_SEGMENT_PREFIX}{uuid.uuid4()}", criteria=criteria)
    try:
        return segment_matches(client, int(draft["segment_id"]))
    finally:
        delete_segment(client, int(draft["segment_id"]))


def builder_catalog(client: Client) -> Catalog:
    """The account's custom fields, lists and tags for the builder's field choices, by name.

    They come from the contacts pages' remembered choices, so adding a row does not read them all again.
    """
    return Catalog(
        custom_fields=[(str(f["custom_field_id"]), str(f.get("label", ""))) for f in custom_fields(client)],
        lists=[(c.id, c.name) for c in list_choices(client)],
        tags=[(c.id, c.name) for c in tag_choices(client)],
    )
