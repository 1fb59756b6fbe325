"""Named actions on contacts and custom fields: check a request against the account, then write.

Request bodies arrive already checked against the spec's schema (types, lengths, item counts);
what the schema cannot say is checked here: the rules the operations state in words, and that
every id a body names belongs to the caller's account. Each write runs in one transaction, so a
request that fails leaves the stored data as it was.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.v3.gate.errors import V3Error, bad_request, conflict, not_found
from apps.v3.models import (
    Account,
    Contact,
    ContactAddress,
    ContactList,
    ContactNote,
    ContactPhone,
    CustomField,
    CustomFieldChoice,
    CustomFieldValue,
    ListMembership,
    PermissionToSend,
    SmsPermission,
    Tag,
    Tagging,
)

# Limits the operations state in words. The array limits repeat the schema's ``maxItems`` because
# merging (sign-up form, resubscribe) can cross them without any one request doing so.
MAX_CUSTOM_FIELDS_PER_ACCOUNT = 100
MAX_CONTACT_CUSTOM_FIELDS = 25
MAX_PHONES = 3
MAX_ADDRESSES = 3
MAX_LISTS = 50
MAX_TAGS = 50
MAX_XREFS = 500
SOURCES = ("Contact", "Account")
PHONE_KINDS = ("home", "work", "mobile", "other")
ADDRESS_KINDS = ("home", "work", "other")
SCALARS = ("first_name", "last_name", "job_title", "company_name", "birthday_month", "birthday_day", "anniversary")
CUSTOM_FIELD_TYPES = ("string", "number", "currency", "date", "single_select", "multi_select")
SELECT_TYPES = ("single_select", "multi_select")
# How many choices each display type may offer (20 for radio and checkbox, 100 for a dropdown).
DISPLAY_TYPE_CHOICES = {"radio": 20, "checkbox": 20, "dropdown": 100}
NEW_SUBSCRIBER_DAYS = 30
# Ids and orders land in 64-bit (ids) or 32-bit (orders) columns; a larger number is bad input,
# not a database error.
MAX_BIGINT = 2**63 - 1
MAX_INT = 2**31 - 1

_ANNIVERSARY = (
    re.compile(r"^(?P<m>\d{1,2})(?P<sep>[/-])(?P<d>\d{1,2})(?P=sep)(?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})(?P<sep>[/-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})$"),
)


# ---------------------------------------------------------------------------------------------
# Small checks


def parse_uuid(raw: Any, where: str) -> uuid.UUID:
    """``raw`` as a UUID, or a 400 naming ``where``."""
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise bad_request(f"{where}: {raw!r} is not a UUID") from None


def _uuids(raw: Iterable[Any], where: str) -> list[uuid.UUID]:
    ids = [parse_uuid(value, f"{where}[{i}]") for i, value in enumerate(raw)]
    repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
    if repeated:
        raise bad_request(f"{where}: ids repeated: {', '.join(repeated)}")
    return ids


def _missing(where: str, wanted: Iterable[uuid.UUID], found: Iterable[uuid.UUID], what: str) -> None:
    missing = sorted(str(i) for i in set(wanted) - set(found))
    if missing:
        raise bad_request(f"{where}: no such {what} in this account: {', '.join(missing)}")


def parse_calendar_date(raw: str) -> date | None:
    """``raw`` in one of the spec's date formats (MM/DD/YYYY, YYYY-MM-DD, M-D-YYYY ...) as a date, or None."""
    for pattern in _ANNIVERSARY:
        match = pattern.match(raw)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


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


def digits_value(text: str, maximum: int = MAX_BIGINT) -> int | None:
    """``text`` as a non-negative integer no larger than ``maximum`` (ASCII digits only), or None."""
    if not re.fullmatch(r"[0-9]{1,19}", text) or int(text) > maximum:
        return None
    return int(text)


def _one_of(value: Any, allowed: Sequence[str], where: str) -> str:
    if value not in allowed:
        raise bad_request(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def aware_utc(value: datetime, where: str) -> datetime:
    """``value`` in UTC; a date-time whose offset pushes it out of the calendar is a 400."""
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise bad_request(f"{where}: out of range") from None


# ---------------------------------------------------------------------------------------------
# Reading a contact body


@dataclass
class EmailChange:
    """The ``email_address`` a body sets."""

    address: str
    permission: str | None = None
    opt_out_reason: str | None = None


@dataclass
class FieldValue:
    """A contact's value for one custom field, checked against the field's type."""

    custom_field: CustomField
    value: str
    choice_ids: list[int]


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
        _one_of(permission, PermissionToSend.values, "email_address.permission_to_send")
    return EmailChange(_email(raw["address"], "email_address.address"), permission, raw.get("opt_out_reason"))


def _read_sms_consent(consents: list[dict[str, Any]], where: str) -> str:
    if not consents:
        raise bad_request(f"{where}: at least one consent is required")
    return _one_of(
        consents[0].get("sms_consent_permission"), SmsPermission.values, f"{where}[0].sms_consent_permission"
    )


def _read_phone(raw: dict[str, Any], where: str) -> dict[str, str]:
    if not raw.get("phone_number", "").strip():
        raise bad_request(f"{where}.phone_number: is required")
    return {"phone_number": raw["phone_number"].strip(), "kind": _one_of(raw.get("kind", "other"), PHONE_KINDS, where)}


def _read_address(raw: dict[str, Any], where: str) -> dict[str, str]:
    parts = {k: raw.get(k) or "" for k in ("street", "city", "state", "postal_code", "country")}
    return {"kind": _one_of(raw.get("kind"), ADDRESS_KINDS, f"{where}.kind"), **parts}


def _read_note(raw: dict[str, Any], where: str) -> dict[str, Any]:
    if not (raw.get("content") or "").strip():
        raise bad_request(f"{where}.content: is required")
    note: dict[str, Any] = {"content": raw["content"]}
    if raw.get("note_id") is not None:
        note["note_id"] = parse_uuid(raw["note_id"], f"{where}.note_id")
    if raw.get("created_at") is not None:
        created = parse_datetime(raw["created_at"])
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
    ids = _uuids(raw, where)
    if len(ids) > limit:
        raise bad_request(f"{where}: at most {limit} are allowed, got {len(ids)}")
    found = dict(queryset.filter(**{f"{id_field}__in": ids}).values_list(id_field, "pk"))
    _missing(where, ids, found, what)
    return [found[i] for i in ids]


def list_pks(account: Account, raw: list[Any], where: str) -> list[int]:
    """Row ids of the account's live lists ``raw`` names (400 naming any that are not)."""
    live = ContactList.objects.filter(account=account, deleted_at__isnull=True)
    return _account_pks(live, "list_id", raw, where, "list", MAX_LISTS)


def tag_pks(account: Account, raw: list[Any], where: str) -> list[int]:
    """Row ids of the account's tags ``raw`` names (400 naming any that are not)."""
    return _account_pks(Tag.objects.filter(account=account), "tag_id", raw, where, "tag", MAX_TAGS)


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
    ids = _uuids([item["custom_field_id"] for item in raw], f"{where}.custom_field_id")
    fields = {
        f.custom_field_id: f
        for f in CustomField.objects.filter(account=account, custom_field_id__in=ids).prefetch_related("choices")
    }
    _missing(where, ids, fields, "custom field")
    return [
        _check_value(fields[i], item.get("value") or "", item.get("choice_ids") or [], f"{where}[{n}]")
        for n, (i, item) in enumerate(zip(ids, raw, strict=True))
    ]


def read_contact(account: Account, data: dict[str, Any], source_field: str) -> ContactChanges:
    """A ``ContactPostRequest`` or ``ContactPutRequest`` body, checked and resolved."""
    source = data.get(source_field)
    if source is None:
        raise bad_request(f"{source_field}: is required")
    changes = ContactChanges(source=_one_of(source, SOURCES, source_field), scalars=_read_scalars(data))
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


# ---------------------------------------------------------------------------------------------
# Writing a contact


def _set_permission(contact: Contact, permission: str, source: str, now: datetime) -> None:
    """Move the email permission, stamping the opt-in or opt-out it amounts to."""
    if permission == contact.permission_to_send:
        return
    contact.permission_to_send = permission
    if permission == PermissionToSend.EXPLICIT:
        contact.opt_in_source, contact.opt_in_date = source, now
        contact.confirm_status = "confirmed" if contact.confirm_status == "pending" else contact.confirm_status
    if permission == PermissionToSend.PENDING_CONFIRMATION:
        contact.confirm_status = "pending"
    if permission == PermissionToSend.UNSUBSCRIBED:
        contact.opt_out_source, contact.opt_out_date = source, now
    else:
        contact.opt_out_source, contact.opt_out_date, contact.opt_out_reason = "", None, ""


def _set_email(contact: Contact, change: EmailChange, source: str, now: datetime) -> None:
    """A new address starts implicit unless the body says otherwise; a changed one keeps its consent."""
    had_email = bool(contact.email_address)
    before = (contact.email_address, contact.permission_to_send)
    if change.address != contact.email_address:
        contact.email_created_at = contact.email_created_at if had_email else now
        contact.email_address = change.address
    default = contact.permission_to_send if had_email else PermissionToSend.IMPLICIT
    _set_permission(contact, change.permission or default, source, now)
    if (contact.email_address, contact.permission_to_send) != before:
        contact.email_updated_at = now
    if change.opt_out_reason is not None and contact.permission_to_send == PermissionToSend.UNSUBSCRIBED:
        contact.opt_out_reason = change.opt_out_reason


def _set_sms(contact: Contact, number: str, permission: str, now: datetime) -> None:
    if number != contact.sms_address or permission != contact.sms_permission:
        contact.sms_consent_date = now
    contact.sms_address, contact.sms_permission = number, permission


def _set_links(
    model: type[models.Model], contact: Contact, fk: str, pks: Iterable[int], *, replace: bool, limit: int, where: str
) -> None:
    """Put the contact on exactly (``replace``) or also (merge) the given lists or tags."""
    rows = model._default_manager.filter(contact=contact)
    wanted = set(pks)
    if replace:
        rows.exclude(**{f"{fk}__in": wanted}).delete()
    current = set(rows.values_list(fk, flat=True))
    if len(current | wanted) > limit:
        raise bad_request(f"{where}: a contact may have at most {limit}, this would make {len(current | wanted)}")
    model._default_manager.bulk_create([model(contact=contact, **{fk: pk}) for pk in sorted(wanted - current)])


def _set_field_values(contact: Contact, values: list[FieldValue], *, replace: bool) -> None:
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


def _replace_phones(contact: Contact, phones: list[dict[str, str]], source: str) -> None:
    ContactPhone.objects.filter(contact=contact).delete()
    ContactPhone.objects.bulk_create(
        [ContactPhone(contact=contact, create_source=source, update_source=source, **p) for p in phones]
    )


def _replace_addresses(contact: Contact, addresses: list[dict[str, str]]) -> None:
    ContactAddress.objects.filter(contact=contact).delete()
    ContactAddress.objects.bulk_create([ContactAddress(contact=contact, **a) for a in addresses])


def _replace_notes(contact: Contact, notes: list[dict[str, Any]], now: datetime) -> None:
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


def _write(contact: Contact, changes: ContactChanges, now: datetime, *, merge: bool = False) -> Contact:
    """Save ``changes`` onto ``contact``: replacing what the body gives, or adding to it (``merge``)."""
    for name, value in changes.scalars.items():
        if value is not None or not merge:
            setattr(contact, name, value if value is not None or name.startswith("birthday") else "")
    contact.update_source = changes.source
    if changes.email is not None:
        _set_email(contact, changes.email, changes.source, now)
    if changes.sms is not None:
        _set_sms(contact, *changes.sms, now)
    contact.save()
    if changes.custom_fields is not None:
        _set_field_values(contact, changes.custom_fields, replace=not merge)
    if changes.phones is not None:
        _replace_phones(contact, changes.phones, changes.source)
    if changes.addresses is not None:
        _replace_addresses(contact, changes.addresses)
    if changes.list_pks is not None:
        _set_links(
            ListMembership,
            contact,
            "contact_list_id",
            changes.list_pks,
            replace=not merge,
            limit=MAX_LISTS,
            where="list_memberships",
        )
    if changes.tag_pks is not None:
        _set_links(Tagging, contact, "tag_id", changes.tag_pks, replace=not merge, limit=MAX_TAGS, where="taggings")
    if changes.notes is not None:
        _replace_notes(contact, changes.notes, now)
    return contact


# What a revived contact keeps: its identity and its email consent, so a revival can never undo
# an unsubscribe by itself (see _check_self_opt_out).
_KEPT_ON_REVIVAL = (
    "id",
    "account",
    "contact_id",
    "created_at",
    "email_address",
    "permission_to_send",
    "email_created_at",
    "email_updated_at",
    "opt_in_source",
    "opt_in_date",
    "opt_out_source",
    "opt_out_date",
    "opt_out_reason",
    "confirm_status",
)


def _clear(contact: Contact) -> None:
    """Forget what a deleted contact held before a create revives it, but for ``_KEPT_ON_REVIVAL``."""
    fresh = Contact(account=contact.account)
    for f in Contact._meta.concrete_fields:
        if f.name not in _KEPT_ON_REVIVAL:
            setattr(contact, f.attname, getattr(fresh, f.attname))
    for related in (CustomFieldValue, ContactPhone, ContactAddress, ContactNote, ListMembership, Tagging):
        related._default_manager.filter(contact=contact).delete()


def _email_taken(account: Account, address: str, contact: Contact | None = None) -> Contact | None:
    """The account's contact (live or deleted, other than ``contact``) holding ``address``; locked."""
    holders = Contact.objects.select_for_update().filter(account=account, email_address=address)
    if contact is not None:
        holders = holders.exclude(pk=contact.pk)
    return holders.first()


def find_contact(account: Account, contact_id: uuid.UUID) -> Contact:
    """The account's contact with this id, deleted or not; 404 for any other id."""
    contact = Contact.objects.filter(account=account, contact_id=contact_id).first()
    if contact is None:
        raise not_found(f"No contact {contact_id} in this account.")
    return contact


def _conflict_on_race() -> V3Error:
    return conflict("Another request changed this contact at the same time; retry.")


def _check_self_opt_out(contact: Contact, changes: ContactChanges) -> None:
    """An account may not opt back in a contact who unsubscribed themselves: only the contact can."""
    wanted = changes.email.permission if changes.email else None
    opted_out_self = contact.permission_to_send == PermissionToSend.UNSUBSCRIBED and contact.opt_out_source == "Contact"
    if opted_out_self and changes.source == "Account" and wanted not in (None, PermissionToSend.UNSUBSCRIBED):
        raise conflict(
            "email_address.permission_to_send: the contact unsubscribed themselves; "
            "ask them to resubscribe with PUT /contacts/resubscribe/{contact_id}"
        )


def create_contact(account: Account, data: dict[str, Any]) -> Contact:
    """``POST /contacts``: a new contact, or the revival of a deleted one with the same email address."""
    changes = read_contact(account, data, "create_source")
    if changes.email is None and changes.sms is None and not (data.get("first_name") or data.get("last_name")):
        raise bad_request("body: give at least one of first_name, last_name, email_address, sms_channel")
    now = timezone.now()
    email = changes.email
    try:
        with transaction.atomic():
            contact = _email_taken(account, email.address) if email else None
            if contact is not None and contact.deleted_at is None:
                raise conflict(f"email_address: {contact.email_address} is already a contact (id {contact.contact_id})")
            if contact is not None:
                _check_self_opt_out(contact, changes)
                _clear(contact)  # a create names everything the contact is to have
            else:
                contact = Contact(account=account, permission_to_send=PermissionToSend.NOT_SET)
            contact.create_source = changes.source
            return _write(contact, changes, now)
    except IntegrityError:
        raise _conflict_on_race() from None


def update_contact(account: Account, contact: Contact, data: dict[str, Any]) -> Contact:
    """``PUT /contacts/{id}``: replace the contact's fields; sub-resources only where the body gives them."""
    changes = read_contact(account, data, "update_source")
    if contact.deleted_at is not None and changes.source != "Account":
        raise bad_request("update_source: must be Account to revive a deleted contact")
    _check_self_opt_out(contact, changes)
    now = timezone.now()
    try:
        with transaction.atomic():
            if changes.email is not None and _email_taken(account, changes.email.address, contact) is not None:
                raise conflict(f"email_address: {changes.email.address} belongs to another contact in this account")
            contact.deleted_at = None
            return _write(contact, changes, now)
    except IntegrityError:
        raise _conflict_on_race() from None


def delete_contact(contact: Contact) -> None:
    """``DELETE /contacts/{id}``: mark it deleted; repeating it changes nothing."""
    if contact.deleted_at is None:
        contact.deleted_at = timezone.now()
        contact.save(update_fields=["deleted_at", "updated_at"])


def _read_sign_up(account: Account, data: dict[str, Any]) -> tuple[ContactChanges, str | None, dict[str, Any] | None]:
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


def _merge_phone(contact: Contact, number: str) -> None:
    phones = list(ContactPhone.objects.filter(contact=contact))
    if any(p.phone_number == number for p in phones):
        return
    if len(phones) >= MAX_PHONES:
        raise bad_request(f"phone_number: the contact already has {MAX_PHONES} phone numbers")
    ContactPhone.objects.create(contact=contact, phone_number=number, create_source="Contact", update_source="Contact")


def _merge_address(contact: Contact, address: dict[str, str]) -> None:
    """An address of a kind the contact has replaces it; a new kind is added."""
    existing = list(ContactAddress.objects.filter(contact=contact))
    same_kind = next((a for a in existing if a.kind == address["kind"]), None)
    if same_kind is None and len(existing) >= MAX_ADDRESSES:
        raise bad_request(f"street_address: the contact already has {MAX_ADDRESSES} street addresses")
    target = same_kind or ContactAddress(contact=contact)
    for key, value in address.items():
        setattr(target, key, value)
    target.save()


# Live contacts before deleted ones when several share an SMS number.
F_DELETED_LAST = models.F("deleted_at").asc(nulls_first=True)


def sign_up_contact(account: Account, data: dict[str, Any]) -> tuple[Contact, bool]:
    """``POST /contacts/sign_up_form``: create, or update by email (else SMS number) merging lists and fields.

    Returns the contact and whether it was created. A contact signing up gives explicit
    permission, so a match is opted in (and revived if deleted).
    """
    changes, phone, address = _read_sign_up(account, data)
    now = timezone.now()
    try:
        with transaction.atomic():
            if changes.email is not None:
                contact = _email_taken(account, changes.email.address)
            else:
                assert changes.sms is not None
                matches = Contact.objects.select_for_update().filter(account=account, sms_address=changes.sms[0])
                contact = matches.order_by(F_DELETED_LAST, "pk").first()
            created = contact is None
            if contact is None:
                contact = Contact(account=account, create_source="Contact", permission_to_send=PermissionToSend.NOT_SET)
            contact.deleted_at = None
            _write(contact, changes, now, merge=True)
            if phone is not None:
                _merge_phone(contact, phone)
            if address is not None:
                _merge_address(contact, address)
            return contact, created
    except IntegrityError:
        raise _conflict_on_race() from None


def resubscribe_contact(account: Account, contact: Contact, raw_list_ids: list[Any]) -> None:
    """``PUT /contacts/resubscribe/{id}``: ask an unsubscribed contact to confirm, adding the lists.

    The contact stays unsendable (``pending_confirmation``) until they confirm; because only an
    unsubscribed contact qualifies, a second request for the same contact is refused.
    """
    if not raw_list_ids:
        raise bad_request("list_ids: at least one list id is required")
    pks = list_pks(account, raw_list_ids, "list_ids")
    if contact.deleted_at is not None:
        raise conflict("The contact is deleted; revive it with PUT /contacts/{contact_id} first.")
    if not contact.email_address:
        raise conflict("The contact has no email address to send a confirmation to.")
    if contact.permission_to_send != PermissionToSend.UNSUBSCRIBED:
        raise conflict(f"The contact is not unsubscribed (permission_to_send is {contact.permission_to_send}).")
    with transaction.atomic():
        _set_permission(contact, PermissionToSend.PENDING_CONFIRMATION, "Account", timezone.now())
        contact.update_source = "Account"
        contact.save()
        _set_links(ListMembership, contact, "contact_list_id", pks, replace=False, limit=MAX_LISTS, where="list_ids")


# ---------------------------------------------------------------------------------------------
# Reading contacts

# GET /contacts ``status`` values other than all/deleted select live contacts by email permission.
_STATUS_PERMISSIONS = {
    "active": (PermissionToSend.EXPLICIT, PermissionToSend.IMPLICIT),
    "not_set": (PermissionToSend.NOT_SET,),
    "pending_confirmation": (PermissionToSend.PENDING_CONFIRMATION,),
    "temp_hold": (PermissionToSend.TEMP_HOLD,),
    "unsubscribed": (PermissionToSend.UNSUBSCRIBED,),
}
_DATE_FILTERS = {
    "updated_after": "updated_at__gt",
    "updated_before": "updated_at__lt",
    "created_after": "created_at__gt",
    "created_before": "created_at__lt",
    "optout_after": "opt_out_date__gt",
    "optout_before": "opt_out_date__lt",
}


def _status_condition(statuses: list[str] | None) -> Q:
    if not statuses:
        return Q(deleted_at__isnull=True)
    if "all" in statuses:
        return Q()
    condition = Q(deleted_at__isnull=False) if "deleted" in statuses else Q(pk__in=[])
    permissions = [p for s in statuses for p in _STATUS_PERMISSIONS.get(s, ())]
    if permissions:
        condition |= Q(deleted_at__isnull=True, permission_to_send__in=permissions)
    return condition


def search_contacts(account: Account, params: dict[str, Any], after_pk: int | None = None) -> QuerySet[Contact]:
    """The account's contacts that pass every filter of ``GET /contacts`` given in ``params``.

    ``after_pk`` is where the requested page starts (from its cursor). The list and tag filters
    repeat it inside their subqueries: PostgreSQL does not carry ``id > n`` across a semi-join, and
    without it a deep page would read every membership before the page (measured: 209 ms against
    0.9 ms at 80,000 contacts in). Leave it out for a count of every match.
    """
    contacts = Contact.objects.filter(account=account).filter(_status_condition(params.get("status")))
    sms_status = params.get("sms_status")
    if sms_status and "all" not in sms_status:
        contacts = contacts.filter(sms_permission__in=sms_status)
    if params.get("email"):
        contacts = contacts.filter(email_address=params["email"].strip().lower())
    links: list[tuple[QuerySet[Any], str, list[int]]] = []
    if params.get("lists"):
        ids = [parse_uuid(raw, "lists") for raw in params["lists"]]
        live = ContactList.objects.filter(account=account, deleted_at__isnull=True, list_id__in=ids)
        links.append((ListMembership.objects.all(), "contact_list_id", list(live.values_list("pk", flat=True))))
    if params.get("tags"):
        tags = Tag.objects.filter(account=account, tag_id__in=params["tags"])
        links.append((Tagging.objects.all(), "tag_id", list(tags.values_list("pk", flat=True))))
    for rows, fk, pks in links:
        if not pks:
            return contacts.none()  # only other accounts' or unknown ids: nobody matches
        # EXISTS probes the (list, contact) / (tag, contact) pair index; a join would repeat a
        # contact that is on several of the lists.
        on_any = rows.filter(contact=OuterRef("pk"), **{f"{fk}__in": pks})
        if after_pk is not None:
            on_any = on_any.filter(contact_id__gt=after_pk)
        contacts = contacts.filter(Exists(on_any))
    for name, lookup in _DATE_FILTERS.items():
        if params.get(name) is not None:
            contacts = contacts.filter(**{lookup: aware_utc(params[name], name)})
    return contacts


def segment_contacts(account: Account, raw_segment_id: list[str]) -> QuerySet[Contact]:
    """The contacts a segment of this account selects (404 for another account's segment)."""
    from apps.v3.models import Segment
    from apps.v3.segments import contacts_matching  # evaluated by the Segments module, imported when used

    text = raw_segment_id[0]
    segment_id = digits_value(text)
    if segment_id is None:
        raise bad_request(f"segment_id: {text!r} is not a segment id")
    # A deleted segment stays readable by id but selects no one any more.
    segment = Segment.objects.filter(account=account, pk=segment_id, deleted_at__isnull=True).first()
    if segment is None:
        raise not_found(f"No segment {text} in this account.")
    return contacts_matching(account, segment)


def contact_counts(account: Account, new_subscribers: bool) -> dict[str, int]:
    """``GET /contacts/counts``: live contacts by email consent, in one query."""
    perm = "permission_to_send"
    aggregates: dict[str, Any] = {
        "total": Count("pk"),
        "explicit": Count("pk", filter=Q(**{perm: PermissionToSend.EXPLICIT})),
        "implicit": Count("pk", filter=Q(**{perm: PermissionToSend.IMPLICIT})),
        "pending": Count("pk", filter=Q(**{perm: PermissionToSend.PENDING_CONFIRMATION})),
        "unsubscribed": Count("pk", filter=Q(**{perm: PermissionToSend.UNSUBSCRIBED})),
    }
    if new_subscribers:
        # A new subscriber opted in (explicit permission) within the last 30 days.
        since = timezone.now() - timedelta(days=NEW_SUBSCRIBER_DAYS)
        aggregates["new_subscriber"] = Count(
            "pk", filter=Q(**{perm: PermissionToSend.EXPLICIT}, opt_in_date__gte=since)
        )
    counts: dict[str, int] = Contact.objects.filter(account=account, deleted_at__isnull=True).aggregate(**aggregates)
    return counts


def contact_xrefs(account: Account, raw: list[str]) -> list[tuple[int, uuid.UUID]]:
    """``GET /contacts/contact_id_xrefs``: (sequence id, contact id) of the account's contacts, by sequence id.

    The row id stands for the V2 sequence id; ids of no contact in this account are left out.
    """
    if len(raw) > MAX_XREFS:
        raise bad_request(f"sequence_ids: at most {MAX_XREFS} ids are allowed, got {len(raw)}")
    ids = {s: digits_value(s) for s in raw}
    bad = [s for s, i in ids.items() if i is None]
    if bad:
        raise bad_request(f"sequence_ids: not sequence ids: {', '.join(bad[:10])}")
    found = Contact.objects.filter(account=account, pk__in=set(ids.values())).order_by("pk")
    return list(found.values_list("pk", "contact_id"))


# ---------------------------------------------------------------------------------------------
# Custom fields


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
        _one_of(meta["display_type"], tuple(DISPLAY_TYPE_CHOICES), "metadata.display_type")
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
    kind = _one_of(data.get("type"), CUSTOM_FIELD_TYPES, "type")
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
    from apps.v3.serializers.contacts import custom_field_prefetch

    found = CustomField.objects.filter(account=account, custom_field_id=custom_field_id)
    custom_field = found.prefetch_related(custom_field_prefetch()).first()
    if custom_field is None:
        raise not_found(f"No custom field {custom_field_id} in this account.")
    return custom_field


def delete_custom_field(custom_field: CustomField) -> None:
    """``DELETE /contact_custom_fields/{id}``: the field, its choices and every contact's value for it."""
    with transaction.atomic():
        custom_field.delete()
