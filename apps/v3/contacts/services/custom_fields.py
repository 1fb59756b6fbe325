"""Custom field definitions: ``POST``, ``PUT``, ``GET`` and ``DELETE /contact_custom_fields``.

A field's label, name, type, metadata and choices; a contact's values for it are in
:mod:`.field_values`, which checks them against the types defined here.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.db import IntegrityError, transaction

from apps.v3.account.models import Account
from apps.v3.contacts.models import CustomField, CustomFieldChoice, CustomFieldValue
from apps.v3.contacts.serializers.contacts import custom_field_prefetch
from apps.v3.contacts.services.checks import MAX_INT, one_of
from apps.v3.gate.errors import bad_request, conflict, not_found

# Limits the operations state in words.
MAX_CUSTOM_FIELDS_PER_ACCOUNT = 100
CUSTOM_FIELD_TYPES = ("string", "number", "currency", "date", "single_select", "multi_select")
SELECT_TYPES = ("single_select", "multi_select")
# How many choices each display type may offer (20 for radio and checkbox, 100 for a dropdown).
DISPLAY_TYPE_CHOICES = {"radio": 20, "checkbox": 20, "dropdown": 100}


def custom_field_name(label: str) -> str:
    """The unique name derived from a label: blanks become underscores."""
    return re.sub(r"\s+", "_", label.strip())


def _read_label(data: dict[str, Any]) -> str:
    label = (data.get("label") or "").strip()
    if not label:
        raise bad_request("label: is required")
    return label


def _read_metadata(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    meta = dict(raw)
    if "display_type" in meta:
        if kind not in SELECT_TYPES:
            raise bad_request("metadata.display_type: only select fields have a display type")
        one_of(meta["display_type"], tuple(DISPLAY_TYPE_CHOICES), "metadata.display_type")
    elif kind in SELECT_TYPES:
        meta["display_type"] = "dropdown" if kind == "single_select" else "checkbox"
    places = meta.get("decimal_places")
    if places is not None and not (kind in ("number", "currency") and 0 <= places <= 4):
        raise bad_request("metadata.decimal_places: from 0 to 4, for number and currency fields only")
    if meta.get("integer") is False and places is not None and places < 1:
        raise bad_request("metadata.decimal_places: from 1 to 4 when integer is false")
    code = meta.get("currency_code")
    if code is not None and not (kind == "currency" and re.fullmatch(r"[A-Z]{3}", code)):
        raise bad_request("metadata.currency_code: three capital letters, for currency fields only")
    if "display_format" in meta and kind != "date":
        raise bad_request("metadata.display_format: for date fields only")
    return meta


def _check_choices(kind: str, display_type: str | None, raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    if kind not in SELECT_TYPES:
        if raw:
            raise bad_request(f"choices: a {kind} field has no choices")
        return []
    if not raw:
        raise bad_request(f"choices: a {kind} field needs at least one choice")
    limit = DISPLAY_TYPE_CHOICES.get(display_type or "dropdown", 100)
    if len(raw) > limit:
        raise bad_request(f"choices: a {display_type} field offers at most {limit} choices, got {len(raw)}")
    labels = [(c.get("choice_label") or "").strip() for c in raw]
    for i, (choice, label) in enumerate(zip(raw, labels, strict=True)):
        if not label:
            raise bad_request(f"choices[{i}].choice_label: is required")
        if label in labels[:i]:
            raise bad_request(f"choices[{i}].choice_label: {label!r} is repeated")
        if not 0 <= choice.get("display_order", 0) <= MAX_INT:
            raise bad_request(f"choices[{i}].display_order: from 0 to {MAX_INT}")
    return raw


def _holder_of(account: Account, name: str, exclude: CustomField | None = None) -> CustomField | None:
    """The account's other field with this name. Names (so labels) ignore case: ``Color`` is ``color``."""
    others = CustomField.objects.filter(account=account, name__iexact=name)
    return (others.exclude(pk=exclude.pk) if exclude else others).first()


def create_custom_field(account: Account, data: dict[str, Any]) -> CustomField:
    """``POST /contact_custom_fields``: up to 100 per account, names and labels unique (409 otherwise)."""
    label = _read_label(data)
    kind = one_of(data.get("type"), CUSTOM_FIELD_TYPES, "type")
    metadata = _read_metadata(kind, data.get("metadata") or {})
    choices = _check_choices(kind, metadata.get("display_type"), data.get("choices"))
    version = data.get("version", 2) if kind == "date" else 1
    if version not in (1, 2):
        raise bad_request("version: 1 (legacy text dates) or 2")
    name = custom_field_name(label)
    try:
        with transaction.atomic():
            # Locking the account serialises creates, so two at 99 fields cannot both pass the limit.
            Account.objects.select_for_update().filter(pk=account.pk).first()
            if CustomField.objects.filter(account=account).count() >= MAX_CUSTOM_FIELDS_PER_ACCOUNT:
                raise bad_request(f"An account may have at most {MAX_CUSTOM_FIELDS_PER_ACCOUNT} custom fields.")
            holder = _holder_of(account, name)
            if holder is not None:
                raise conflict(f"label: a custom field named {holder.name!r} already exists")
            custom_field = CustomField.objects.create(
                account=account, label=label, name=name, type=kind, metadata=metadata, version=version
            )
            CustomFieldChoice.objects.bulk_create(
                CustomFieldChoice(
                    custom_field=custom_field,
                    choice_id=n,
                    choice_label=c["choice_label"].strip(),
                    display_order=c.get("display_order", n),
                )
                for n, c in enumerate(choices, start=1)
            )
    except IntegrityError:
        raise conflict(f"label: a custom field named {name!r} already exists") from None
    return custom_field


def _prune_choice_ids(custom_field: CustomField, kept: set[int]) -> None:
    """Drop removed choices from contacts' values, so a later choice can never inherit them."""
    stale = []
    for value in CustomFieldValue.objects.filter(custom_field=custom_field).exclude(choice_ids=[]).iterator(2000):
        remaining = [c for c in value.choice_ids if c in kept]
        if remaining != value.choice_ids:
            value.choice_ids = remaining
            stale.append(value)
    CustomFieldValue.objects.bulk_update(stale, ["choice_ids"], batch_size=500)


def update_custom_field(account: Account, custom_field: CustomField, data: dict[str, Any]) -> CustomField:
    """``PUT /contact_custom_fields/{id}``: a new label (and name) and, for select fields, the whole choice list.

    The spec declares no 409 here, so a label that another field already has is a 400.
    """
    label = _read_label(data)
    name = custom_field_name(label)
    raw = _check_choices(custom_field.type, custom_field.metadata.get("display_type"), data.get("choices"))
    with transaction.atomic():
        holder = _holder_of(account, name, exclude=custom_field)
        if holder is not None:
            raise bad_request(f"label: another custom field is named {holder.name!r}")
        existing = {
            c.choice_id: c for c in CustomFieldChoice.objects.select_for_update().filter(custom_field=custom_field)
        }
        named = [c["choice_id"] for c in raw if "choice_id" in c]
        if len(named) != len(set(named)):
            raise bad_request("choices: a choice_id is repeated")
        unknown = [str(i) for i in named if i not in existing]
        if unknown:
            raise bad_request(f"choices: no such choice_id on this field: {', '.join(unknown)}")
        next_id = max(existing, default=0) + 1
        kept: set[int] = set()
        for n, c in enumerate(raw, start=1):
            choice = existing.get(c.get("choice_id", -1))
            if choice is None:
                choice = CustomFieldChoice(custom_field=custom_field, choice_id=next_id)
                next_id += 1
            choice.choice_label, choice.display_order = c["choice_label"].strip(), c.get("display_order", n)
            choice.save()
            kept.add(choice.choice_id)
        removed = set(existing) - kept
        if removed:
            CustomFieldChoice.objects.filter(custom_field=custom_field, choice_id__in=removed).delete()
            _prune_choice_ids(custom_field, kept)
        custom_field.label, custom_field.name = label, name
        custom_field.save()
    return custom_field


def find_custom_field(account: Account, custom_field_id: uuid.UUID) -> CustomField:
    """The account's custom field with this id, choices loaded; 404 for any other id."""
    found = CustomField.objects.filter(account=account, custom_field_id=custom_field_id)
    custom_field = found.prefetch_related(custom_field_prefetch()).first()
    if custom_field is None:
        raise not_found(f"No custom field {custom_field_id} in this account.")
    return custom_field


def delete_custom_field(custom_field: CustomField) -> None:
    """``DELETE /contact_custom_fields/{id}``: the field, its choices and every contact's value for it."""
    with transaction.atomic():
        custom_field.delete()
