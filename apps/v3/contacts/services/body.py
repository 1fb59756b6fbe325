"""Reading a contact body: ``ContactPostRequest``, ``ContactPutRequest`` and the sign-up form's
``ContactCreateOrUpdateInput``, checked and resolved against the account into :class:`ContactChanges`.

Request bodies arrive already checked against the spec's schema (types, lengths, item counts);
what the schema cannot say is checked here, before any write: the rules the operations state in
words, and that every list, tag and custom field a body names belongs to the caller's account.
Custom field values are read by :mod:`.field_values`, beside the checks of their types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.v3.account.models import Account
from apps.v3.contacts.models import ContactList, PermissionToSend, SmsPermission, Tag
from apps.v3.contacts.services.checks import (
    MAX_LISTS,
    MAX_TAGS,
    aware_utc,
    one_of,
    parse_calendar_date,
    parse_uuid,
    refuse_missing,
    unique_uuids,
)
from apps.v3.contacts.services.field_values import FieldValue, read_field_values
from apps.v3.gate.errors import bad_request

SOURCES = ("Contact", "Account")
PHONE_KINDS = ("home", "work", "mobile", "other")
ADDRESS_KINDS = ("home", "work", "other")
SCALARS = ("first_name", "last_name", "job_title", "company_name", "birthday_month", "birthday_day", "anniversary")


def _check_birthday(month: int | None, day: int | None) -> None:
    if (month is None) != (day is None):
        raise bad_request("birthday_month, birthday_day: give both or neither")
    if month is not None and not 1 <= month <= 12:
        raise bad_request("birthday_month: must be from 1 to 12")
    if day is not None and not 1 <= day <= 31:
        raise bad_request("birthday_day: must be from 1 to 31")


def _email(raw: str, where: str) -> str:
    address = raw.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise bad_request(f"{where}: {raw!r} is not an email address") from None
    return address


def _sms_number(raw: str, where: str) -> str:
    """Digits only: the number is matched and stored without punctuation."""
    digits = re.sub(r"[\s().+-]", "", raw)
    if not re.fullmatch(r"[0-9]{4,15}", digits):
        raise bad_request(f"{where}: {raw!r} is not a phone number of 4 to 15 digits")
    return digits


@dataclass
class EmailChange:
    """The ``email_address`` a body sets."""

    address: str
    permission: str | None = None
    opt_out_reason: str | None = None


@dataclass
class ContactChanges:
    """A contact body, checked and resolved against the account. None means "not in the body"."""

    source: str
    scalars: dict[str, Any] = field(default_factory=dict)
    email: EmailChange | None = None
    sms: tuple[str, str] | None = None  # (number, permission)
    custom_fields: list[FieldValue] | None = None
    phones: list[dict[str, str]] | None = None
    addresses: list[dict[str, str]] | None = None
    list_pks: list[int] | None = None
    tag_pks: list[int] | None = None
    notes: list[dict[str, Any]] | None = None


def _read_scalars(data: dict[str, Any]) -> dict[str, Any]:
    scalars = {name: data.get(name) for name in SCALARS}
    _check_birthday(scalars["birthday_month"], scalars["birthday_day"])
    anniversary = scalars["anniversary"]
    if anniversary and parse_calendar_date(anniversary) is None:
        raise bad_request(f"anniversary: {anniversary!r} is not a date (MM/DD/YYYY, YYYY-MM-DD and the like)")
    return scalars


def _read_email(raw: dict[str, Any]) -> EmailChange:
    permission = raw.get("permission_to_send")
    if permission is not None:
        one_of(permission, PermissionToSend.values, "email_address.permission_to_send")
    return EmailChange(_email(raw["address"], "email_address.address"), permission, raw.get("opt_out_reason"))


def _read_sms_consent(consents: list[dict[str, Any]], where: str) -> str:
    if not consents:
        raise bad_request(f"{where}: at least one consent is required")
    return one_of(consents[0].get("sms_consent_permission"), SmsPermission.values, f"{where}[0].sms_consent_permission")


def _read_phone(raw: dict[str, Any], where: str) -> dict[str, str]:
    if not raw.get("phone_number", "").strip():
        raise bad_request(f"{where}.phone_number: is required")
    return {"phone_number": raw["phone_number"].strip(), "kind": one_of(raw.get("kind", "other"), PHONE_KINDS, where)}


def _read_address(raw: dict[str, Any], where: str) -> dict[str, str]:
    parts = {k: raw.get(k) or "" for k in ("street", "city", "state", "postal_code", "country")}
    return {"kind": one_of(raw.get("kind"), ADDRESS_KINDS, f"{where}.kind"), **parts}


def _read_note(raw: dict[str, Any], where: str) -> dict[str, Any]:
    if not (raw.get("content") or "").strip():
        raise bad_request(f"{where}.content: is required")
    note: dict[str, Any] = {"content": raw["content"]}
    if raw.get("note_id") is not None:
        note["note_id"] = parse_uuid(raw["note_id"], f"{where}.note_id")
    if raw.get("created_at") is not None:
        try:
            created = parse_datetime(raw["created_at"])
        except ValueError:  # shaped like a date-time that does not exist (month 13, hour 25)
            created = None
        if created is None:
            raise bad_request(f"{where}.created_at: {raw['created_at']!r} is not an ISO-8601 date-time")
        if created.tzinfo is None:
            created = timezone.make_aware(created, UTC)
        note["created_at"] = aware_utc(created, f"{where}.created_at")
    return note


def _account_pks(
    queryset: QuerySet[Any], id_field: str, raw: list[Any], where: str, what: str, limit: int
) -> list[int]:
    """The row ids of the resources ``raw`` names, all of which must be in ``queryset``."""
    ids = unique_uuids(raw, where)
    if len(ids) > limit:
        raise bad_request(f"{where}: at most {limit} are allowed, got {len(ids)}")
    found = dict(queryset.filter(**{f"{id_field}__in": ids}).values_list(id_field, "pk"))
    refuse_missing(where, ids, found, what)
    return [found[i] for i in ids]


def list_pks(account: Account, raw: list[Any], where: str) -> list[int]:
    """Row ids of the account's live lists ``raw`` names (400 naming any that are not)."""
    live = ContactList.objects.filter(account=account, deleted_at__isnull=True)
    return _account_pks(live, "list_id", raw, where, "list", MAX_LISTS)


def tag_pks(account: Account, raw: list[Any], where: str) -> list[int]:
    """Row ids of the account's live tags ``raw`` names (400 naming any that are not)."""
    live = Tag.objects.filter(account=account, deleted_at__isnull=True)
    return _account_pks(live, "tag_id", raw, where, "tag", MAX_TAGS)


def read_contact(account: Account, data: dict[str, Any], source_field: str) -> ContactChanges:
    """A ``ContactPostRequest`` or ``ContactPutRequest`` body, checked and resolved."""
    source = data.get(source_field)
    if source is None:
        raise bad_request(f"{source_field}: is required")
    changes = ContactChanges(source=one_of(source, SOURCES, source_field), scalars=_read_scalars(data))
    if "email_address" in data:
        changes.email = _read_email(data["email_address"])
    if "sms_channel" in data:
        sms = data["sms_channel"]
        number = _sms_number(sms["full_sms_address"], "sms_channel.full_sms_address")
        changes.sms = (number, _read_sms_consent(sms["sms_channel_consents"], "sms_channel.sms_channel_consents"))
    if "custom_fields" in data:
        changes.custom_fields = read_field_values(account, data["custom_fields"], "custom_fields")
    if "phone_numbers" in data:
        changes.phones = [_read_phone(p, f"phone_numbers[{i}]") for i, p in enumerate(data["phone_numbers"])]
    if "street_addresses" in data:
        changes.addresses = [_read_address(a, f"street_addresses[{i}]") for i, a in enumerate(data["street_addresses"])]
    if "list_memberships" in data:
        changes.list_pks = list_pks(account, data["list_memberships"], "list_memberships")
    if "taggings" in data:
        changes.tag_pks = tag_pks(account, data["taggings"], "taggings")
    if "notes" in data:
        changes.notes = [_read_note(n, f"notes[{i}]") for i, n in enumerate(data["notes"])]
    return changes


def read_sign_up(account: Account, data: dict[str, Any]) -> tuple[ContactChanges, str | None, dict[str, Any] | None]:
    """A ``ContactCreateOrUpdateInput`` as changes to merge, plus its phone number and street address."""
    if not data.get("email_address") and "sms_channel" not in data:
        raise bad_request("email_address: is required unless sms_channel is given")
    scalars = _read_scalars(data)
    changes = ContactChanges(source="Contact", scalars=scalars)
    if data.get("email_address"):
        changes.email = EmailChange(_email(data["email_address"], "email_address"), PermissionToSend.EXPLICIT)
    if "sms_channel" in data:
        sms = data["sms_channel"]
        number = _sms_number(f"{sms['dial_code']}{sms['sms_address']}", "sms_channel.sms_address")
        changes.sms = (number, _read_sms_consent(sms["sms_channel_consents"], "sms_channel.sms_channel_consents"))
    changes.list_pks = list_pks(account, data["list_memberships"], "list_memberships")
    if data.get("custom_fields"):
        changes.custom_fields = read_field_values(account, data["custom_fields"], "custom_fields")
    phone = data["phone_number"].strip() if (data.get("phone_number") or "").strip() else None
    address = _read_address(data["street_address"], "street_address") if "street_address" in data else None
    return changes, phone, address
