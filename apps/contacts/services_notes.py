"""A contact's notes: added and deleted through the V3 client's ``putContact``.

The API has no operation of its own for notes; they are a sub-resource of the contact, replaced
whole by a PUT that carries them. That PUT also replaces the contact's top-level fields (names,
dates: left out means cleared), so they are sent back as they are, while the other sub-resources
(email, SMS, phones, addresses, lists, tags, custom fields) are left out and so left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.ctct import Client

from .services import update_contact

__all__ = ["MAX_NOTES", "NOTE_LENGTH", "add_note", "delete_note", "find_note"]

# putContact's limits: ``notes`` has at most 150 items, a note's ``content`` at most 2,000 characters.
MAX_NOTES = 150
NOTE_LENGTH = 2000
# The top-level fields a PUT clears when it leaves them out.
_TOP_LEVEL = ("first_name", "last_name", "job_title", "company_name", "birthday_month", "birthday_day", "anniversary")
# Where the API's messages about a new note (sent first) point: the list itself, or that note.
NOTE_PATHS = {"notes": "content", "notes.0": "content"}


def _kept(contact: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The contact's notes as a PUT sends them back: with their ids, so each keeps its own."""
    return [{k: n[k] for k in ("note_id", "created_at", "content") if k in n} for n in contact.get("notes") or []]


def _put_notes(client: Client, contact: Mapping[str, Any], notes: list[dict[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {"update_source": "Account", "notes": notes}
    body.update({name: contact[name] for name in _TOP_LEVEL if contact.get(name) not in (None, "")})
    return update_contact(client, str(contact["contact_id"]), body)


def find_note(contact: Mapping[str, Any], note_id: str) -> dict[str, Any] | None:
    """The contact's note with this id (``contact`` read with its notes), or None."""
    return next((n for n in contact.get("notes") or [] if str(n.get("note_id")) == note_id), None)


def add_note(client: Client, contact: Mapping[str, Any], content: str) -> dict[str, Any]:
    """Add a note to ``contact`` (read with its notes); the API dates it. Its refusals name ``NOTE_PATHS``."""
    return _put_notes(client, contact, [{"content": content}, *_kept(contact)])


def delete_note(client: Client, contact: Mapping[str, Any], note_id: str) -> dict[str, Any]:
    """Remove one note from ``contact`` (read with its notes), keeping the others as they are."""
    return _put_notes(client, contact, [n for n in _kept(contact) if str(n.get("note_id")) != note_id])
