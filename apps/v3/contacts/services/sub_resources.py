"""The rows that hang off a contact: list memberships, taggings, phone numbers, street addresses and
notes, replaced by ``POST``/``PUT /contacts`` or merged by the sign-up form.

Each writer takes rows already checked by :mod:`.body`; the merges check the per-contact limits
themselves, since adding to what a contact has can cross them without any one body doing so.
Custom field values are in :mod:`.field_values`, with the checks of their types.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models

from apps.v3.contacts.models import Contact, ContactAddress, ContactNote, ContactPhone
from apps.v3.contacts.services.checks import MAX_ADDRESSES, MAX_PHONES
from apps.v3.gate.errors import bad_request


def set_links(
    model: type[models.Model], contact: Contact, fk: str, pks: Iterable[int], *, replace: bool, limit: int, where: str
) -> None:
    """Put the contact on exactly (``replace``) or also (merge) the given lists or tags."""
    rows = model._default_manager.filter(contact=contact)
    wanted = set(pks)
    if replace:
        rows.exclude(**{f"{fk}__in": wanted}).delete()
    current = set(rows.values_list(fk, flat=True))
    # Links to a list or tag whose DELETE is still removing them in the background do not count.
    target = fk.removesuffix("_id")
    live = set(rows.filter(**{f"{target}__deleted_at__isnull": True}).values_list(fk, flat=True))
    if len(live | wanted) > limit:
        raise bad_request(f"{where}: a contact may have at most {limit}, this would make {len(live | wanted)}")
    model._default_manager.bulk_create([model(contact=contact, **{fk: pk}) for pk in sorted(wanted - current)])


def replace_phones(contact: Contact, phones: list[dict[str, str]], source: str) -> None:
    """The contact's phone numbers become exactly ``phones``."""
    ContactPhone.objects.filter(contact=contact).delete()
    ContactPhone.objects.bulk_create(
        [ContactPhone(contact=contact, create_source=source, update_source=source, **p) for p in phones]
    )


def replace_addresses(contact: Contact, addresses: list[dict[str, str]]) -> None:
    """The contact's street addresses become exactly ``addresses``."""
    ContactAddress.objects.filter(contact=contact).delete()
    ContactAddress.objects.bulk_create([ContactAddress(contact=contact, **a) for a in addresses])


def replace_notes(contact: Contact, notes: list[dict[str, Any]], now: datetime) -> None:
    """The contact's notes become exactly ``notes``."""
    own = set(ContactNote.objects.filter(contact=contact).values_list("note_id", flat=True))
    ContactNote.objects.filter(contact=contact).delete()
    rows = []
    for note in notes:
        # A note keeps its id across a PUT; an id from anywhere else (or repeated) would collide.
        note_id: uuid.UUID = note["note_id"] if note.get("note_id") in own else uuid.uuid4()
        own.discard(note_id)
        rows.append(
            ContactNote(
                contact=contact, note_id=note_id, content=note["content"], created_at=note.get("created_at", now)
            )
        )
    ContactNote.objects.bulk_create(rows)


def merge_phone(contact: Contact, number: str) -> None:
    """Add the number unless the contact has it already."""
    phones = list(ContactPhone.objects.filter(contact=contact))
    if any(p.phone_number == number for p in phones):
        return
    if len(phones) >= MAX_PHONES:
        raise bad_request(f"phone_number: the contact already has {MAX_PHONES} phone numbers")
    ContactPhone.objects.create(contact=contact, phone_number=number, create_source="Contact", update_source="Contact")


def merge_address(contact: Contact, address: dict[str, str]) -> None:
    """An address of a kind the contact has replaces it; a new kind is added."""
    existing = list(ContactAddress.objects.filter(contact=contact))
    same_kind = next((a for a in existing if a.kind == address["kind"]), None)
    if same_kind is None and len(existing) >= MAX_ADDRESSES:
        raise bad_request(f"street_address: the contact already has {MAX_ADDRESSES} street addresses")
    target = same_kind or ContactAddress(contact=contact)
    for key, value in address.items():
        setattr(target, key, value)
    target.save()
