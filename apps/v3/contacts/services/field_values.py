"""A contact's custom field values: each checked against its field's type, then written.

Reading and writing sit together because both are the same rules seen from two sides: which
value and choices a field of each type takes, and how many fields one contact may hold. The
contact body (:mod:`.body`) and the writers (:mod:`.writing`) both come here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from apps.v3.account.models import Account
from apps.v3.contacts.models import Contact, CustomField, CustomFieldValue
from apps.v3.contacts.services.checks import (
    MAX_CONTACT_CUSTOM_FIELDS,
    digits_value,
    parse_calendar_date,
    refuse_missing,
    unique_uuids,
)
from apps.v3.contacts.services.custom_fields import SELECT_TYPES
from apps.v3.gate.errors import bad_request


@dataclass
class FieldValue:
    """A contact's value for one custom field, checked against the field's type."""

    custom_field: CustomField
    value: str
    choice_ids: list[int]


def _choice_ids(custom_field: CustomField, value: str, raw: list[Any], where: str) -> list[int]:
    known = {c.choice_id: c.choice_label for c in custom_field.choices.all()}
    if not raw and value:
        # The sign-up form names choices by label: its custom field objects carry no choice ids.
        labels = [v.strip() for v in value.split(",")] if custom_field.type == "multi_select" else [value.strip()]
        by_label = {label: cid for cid, label in known.items()}
        unknown = [label for label in labels if label not in by_label]
        if unknown:
            raise bad_request(f"{where}.value: not a choice of this field: {', '.join(unknown)}")
        return [by_label[label] for label in labels]
    ids: list[int] = []
    for i, item in enumerate(raw):
        choice_id = digits_value(str(item).strip())
        if choice_id is None or choice_id not in known:
            raise bad_request(f"{where}.choice_ids[{i}]: {item!r} is not a choice of this field")
        ids.append(choice_id)
    if custom_field.type == "single_select" and len(ids) > 1:
        raise bad_request(f"{where}.choice_ids: a single_select field takes one choice")
    return ids


def _check_value(custom_field: CustomField, value: str, raw_choices: list[Any], where: str) -> FieldValue:
    """The value must suit the field's type: a number, a date, or its own choices."""
    if custom_field.type in SELECT_TYPES:
        return FieldValue(custom_field, value, _choice_ids(custom_field, value, raw_choices, where))
    if raw_choices:
        raise bad_request(f"{where}.choice_ids: only select fields take choices")
    if value and custom_field.type in ("number", "currency"):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise bad_request(f"{where}.value: {value!r} is not a number") from None
        meta = custom_field.metadata or {}
        if not number.is_finite():
            raise bad_request(f"{where}.value: {value!r} is not a number")
        if number < 0 and not meta.get("allow_negative", False):
            raise bad_request(f"{where}.value: this field takes no negative numbers")
        if meta.get("integer") and number != number.to_integral_value():
            raise bad_request(f"{where}.value: this field takes whole numbers")
    if value and custom_field.type == "date":
        day = parse_calendar_date(value.strip())
        if day is None:
            raise bad_request(f"{where}.value: {value!r} is not a date (MM/DD/YYYY, YYYY-MM-DD and the like)")
        # Version 2 dates are stored as dates (ISO, so segments can compare them); version 1 as typed.
        value = day.isoformat() if custom_field.version == 2 else value
    return FieldValue(custom_field, value, [])


def read_field_values(account: Account, raw: list[dict[str, Any]], where: str) -> list[FieldValue]:
    """Custom field values, each for a distinct field of the account, each fit for its type."""
    if any("custom_field_id" not in item for item in raw):
        raise bad_request(f"{where}: every item needs a custom_field_id")
    ids = unique_uuids([item["custom_field_id"] for item in raw], f"{where}.custom_field_id")
    fields = {
        f.custom_field_id: f
        for f in CustomField.objects.filter(account=account, custom_field_id__in=ids).prefetch_related("choices")
    }
    refuse_missing(where, ids, fields, "custom field")
    return [
        _check_value(fields[i], item.get("value") or "", item.get("choice_ids") or [], f"{where}[{n}]")
        for n, (i, item) in enumerate(zip(ids, raw, strict=True))
    ]


def set_field_values(contact: Contact, values: list[FieldValue], *, replace: bool) -> None:
    """Write the values: instead of all the contact has (``replace``), or of the same fields only."""
    rows = CustomFieldValue.objects.filter(contact=contact)
    (rows if replace else rows.filter(custom_field__in=[v.custom_field for v in values])).delete()
    total = rows.count() + len(values)
    if total > MAX_CONTACT_CUSTOM_FIELDS:
        raise bad_request(
            f"custom_fields: a contact may have at most {MAX_CONTACT_CUSTOM_FIELDS}, this would make {total}"
        )
    CustomFieldValue.objects.bulk_create(
        [
            CustomFieldValue(contact=contact, custom_field=v.custom_field, value=v.value, choice_ids=v.choice_ids)
            for v in values
        ]
    )
