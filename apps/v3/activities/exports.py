"""Exporting contacts to a CSV file (``contact_exports``), served by ``GET /contact_exports/{id}``.

The filters the request may combine are those the spec names as compatible; anything else is a
400. The task writes the file to a local temporary file :data:`CONTACTS_PER_BATCH` contacts at a
time (one query for the contacts and one per kind of related data each time) and stores it in
default storage when it is whole. An export only reads, so a resumed export simply starts again.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import combinations
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from apps.v3.gate.errors import bad_request
from apps.v3.models import (
    Account,
    Contact,
    ContactAddress,
    ContactPhone,
    CustomFieldValue,
    ListMembership,
    PermissionToSend,
    Tagging,
)

from .import_rows import CUSTOM_PREFIX, account_custom_fields, normalize_column
from .runner import Job, Plan, storage_name
from .sources import (
    CONTACTS,
    LISTS,
    TAGS,
    active,
    in_segment,
    live_contacts,
    new_subscribers,
    on_lists,
    resolve,
    resolve_segment,
    tagged,
)

# 5,000 contacts a batch: each batch is six short indexed queries and a few MB of memory.
CONTACTS_PER_BATCH = 5_000
MAX_CONTACT_IDS = 500
MAX_IDS = 50
MAX_EXCLUDE = 50
# Filters that may be combined, as the spec pairs them; any other pair is refused.
COMPATIBLE = {
    frozenset({"contact_ids", "status"}),
    frozenset({"list_ids", "status"}),
    frozenset({"list_ids", "exclude"}),
    frozenset({"list_ids", "new_subscriber"}),
    frozenset({"new_subscriber", "exclude"}),
}
FILTERS = ("contact_ids", "list_ids", "tag_ids", "new_subscriber", "segment_id", "status", "exclude")
STATUSES = {
    "all": Q(),
    "active": Q(deleted_at__isnull=True) & active(),
    "unsubscribed": Q(deleted_at__isnull=True, permission_to_send=PermissionToSend.UNSUBSCRIBED),
    "pending_confirmation": Q(deleted_at__isnull=True, permission_to_send=PermissionToSend.PENDING_CONFIRMATION),
    "temp_hold": Q(deleted_at__isnull=True, permission_to_send=PermissionToSend.TEMP_HOLD),
    "not_set": Q(deleted_at__isnull=True, permission_to_send=PermissionToSend.NOT_SET),
    "removed": Q(deleted_at__isnull=False),
    "deleted": Q(deleted_at__isnull=False),
}
# Fields that need the email address beside them to mean anything (the spec's rule).
NEEDS_EMAIL = (
    "email_optin_source",
    "email_optin_date",
    "email_optout_source",
    "email_optout_date",
    "email_optout_reason",
)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


# Columns the contact row itself answers: field name -> (model attribute, formatting).
ROW_FIELDS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "contact_id": ("contact_id", str),
    "email_address": ("email_address", str),
    "first_name": ("first_name", str),
    "last_name": ("last_name", str),
    "job_title": ("job_title", str),
    "company_name": ("company_name", str),
    "birthday_month": ("birthday_month", lambda v: "" if v is None else str(v)),
    "birthday_day": ("birthday_day", lambda v: "" if v is None else str(v)),
    "anniversary": ("anniversary", str),
    "permission_to_send": ("permission_to_send", str),
    "sms_number": ("sms_address", str),
    "sms_permission_to_send": ("sms_permission", str),
    "sms_consent_date": ("sms_consent_date", _iso),
    "source_name": ("create_source", str),
    "created_at": ("created_at", _iso),
    "updated_at": ("updated_at", _iso),
    "deleted_at": ("deleted_at", _iso),
    "email_optin_source": ("opt_in_source", str),
    "email_optin_date": ("opt_in_date", _iso),
    "email_optout_source": ("opt_out_source", str),
    "email_optout_date": ("opt_out_date", _iso),
    "email_optout_reason": ("opt_out_reason", str),
}
ADDRESS_FIELDS = {"street": "street", "city": "city", "state": "state", "zip": "postal_code", "country": "country"}
RELATED_FIELDS = ("phone_number", *ADDRESS_FIELDS, "email_lists", "tags")
# The default column order: everything, then every custom field of the account.
DEFAULT_FIELDS = (
    "contact_id",
    "email_address",
    "first_name",
    "last_name",
    "job_title",
    "company_name",
    "phone_number",
    *ADDRESS_FIELDS,
    "birthday_month",
    "birthday_day",
    "anniversary",
    "email_lists",
    "tags",
    "permission_to_send",
    "sms_number",
    "sms_permission_to_send",
    "sms_consent_date",
    "source_name",
    "created_at",
    "updated_at",
    *NEEDS_EMAIL,
)
KNOWN_FIELDS = frozenset(DEFAULT_FIELDS) | {"deleted_at"}


def _given(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if name == "exclude":
        return bool((value or {}).get("contact_ids"))
    return value is not None and value is not False and value != [] and value != ""


def _fields(account: Account, raw: list[str] | None) -> list[str]:
    """The columns asked for (normalized), checked; by default every field and custom field."""
    custom = account_custom_fields(account.pk)
    if not raw:
        return [*DEFAULT_FIELDS, *(CUSTOM_PREFIX + name for name in sorted(custom))]
    fields = [normalize_column(name) for name in raw]
    unknown = [
        f
        for f in fields
        if f not in KNOWN_FIELDS and not (f.startswith(CUSTOM_PREFIX) and f[len(CUSTOM_PREFIX) :] in custom)
    ]
    if unknown:
        raise bad_request(f"fields: unknown fields: {', '.join(unknown)}")
    if "email_address" not in fields and any(f in NEEDS_EMAIL for f in fields):
        raise bad_request(f"fields: {', '.join(f for f in fields if f in NEEDS_EMAIL)} need email_address too")
    return list(dict.fromkeys(fields))


def read_contact_export(account: Account, body: dict[str, Any]) -> Plan:
    """``POST /activities/contact_exports``: the checked filters and columns (404 for ids not in the account)."""
    given = [name for name in FILTERS if _given(body, name)]
    clash = [f"{a} with {b}" for a, b in combinations(given, 2) if frozenset({a, b}) not in COMPATIBLE]
    if clash:
        raise bad_request(f"body: these filters cannot be combined: {'; '.join(clash)}")
    params: dict[str, Any] = {"fields": _fields(account, body.get("fields"))}
    limits = {"contact_ids": MAX_CONTACT_IDS, "list_ids": MAX_IDS, "tag_ids": MAX_IDS}
    for name, kind in (("contact_ids", CONTACTS), ("list_ids", LISTS), ("tag_ids", TAGS)):
        if name in given:
            params[name], _ = resolve(account, kind, body[name], name, limit=limits[name], strict=True, required=True)
    if "segment_id" in given:
        params["segment_id"] = resolve_segment(account, body["segment_id"], "segment_id")
    if "new_subscriber" in given:
        params["new_subscriber"] = True
    if "status" in given:
        if body["status"] not in STATUSES:
            raise bad_request(f"status: {body['status']!r} is not one of {', '.join(STATUSES)}")
        params["status"] = body["status"]
    if "exclude" in given:
        params["exclude"], _ = resolve(
            account,
            CONTACTS,
            body["exclude"]["contact_ids"],
            "exclude.contact_ids",
            limit=MAX_EXCLUDE,
            strict=False,
            required=False,
        )
    return Plan(params=params)


def export_contacts(account_id: int, params: dict[str, Any]) -> QuerySet[Contact]:
    """The contacts an export's filters select (live ones unless ``status`` says otherwise)."""
    status = params.get("status")
    contacts = Contact.objects.filter(STATUSES[status], account_id=account_id) if status else live_contacts(account_id)
    if "contact_ids" in params:
        contacts = contacts.filter(pk__in=params["contact_ids"])
    if "list_ids" in params:
        contacts = contacts.filter(on_lists(params["list_ids"]))
    if "tag_ids" in params:
        contacts = contacts.filter(tagged(params["tag_ids"]))
    if params.get("new_subscriber"):
        contacts = contacts.filter(new_subscribers())
    if "segment_id" in params:
        contacts = contacts.filter(in_segment(account_id, params["segment_id"]))
    if params.get("exclude"):
        contacts = contacts.exclude(pk__in=params["exclude"])
    return contacts


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection).

    Text starting with ``=``, ``@``, a tab or a carriage return, or with ``+``/``-`` followed by
    anything but a number, is prefixed with a quote; phone numbers like ``+1 555`` stay as they are.
    """
    if not text:
        return text
    if text[0] in "=@\t\r" or (
        text[0] in "+-" and not text[1:].replace(" ", "").replace("-", "").replace(".", "").isdigit()
    ):
        return "'" + text
    return text


class BatchReader:
    """Loads one batch of contacts and only the related data the chosen columns need."""

    def __init__(self, account_id: int, fields: list[str]) -> None:
        self.fields = fields
        custom = account_custom_fields(account_id)
        self.custom = {f: custom[f[len(CUSTOM_PREFIX) :]].pk for f in fields if f.startswith(CUSTOM_PREFIX)}
        self.row_fields = [ROW_FIELDS[f][0] for f in fields if f in ROW_FIELDS]

    def rows(self, pks: list[int]) -> Iterable[list[str]]:
        """The CSV rows of these contacts, in row-id order."""
        contacts = Contact.objects.filter(pk__in=pks).order_by("pk").values("pk", *self.row_fields)
        related = self._related(pks)
        for contact in contacts:
            pk = contact["pk"]
            row = []
            for name in self.fields:
                if name in ROW_FIELDS:
                    attribute, show = ROW_FIELDS[name]
                    value = contact[attribute]
                    row.append(show(value) if value is not None else "")
                else:
                    row.append(related.get(name, {}).get(pk, ""))
            yield [_safe(cell) for cell in row]

    def _related(self, pks: list[int]) -> dict[str, dict[int, str]]:
        wanted = set(self.fields)
        related: dict[str, dict[int, str]] = {}
        if "phone_number" in wanted:
            phones: dict[int, str] = {}
            for pk, number in (
                ContactPhone.objects.filter(contact_id__in=pks).order_by("pk").values_list("contact_id", "phone_number")
            ):
                phones.setdefault(pk, number)
            related["phone_number"] = phones
        if wanted & set(ADDRESS_FIELDS):
            # The home address first, as imports put the unprefixed columns there.
            addresses: dict[int, dict[str, Any]] = {}
            columns = ("contact_id", "kind", *ADDRESS_FIELDS.values())
            for address in ContactAddress.objects.filter(contact_id__in=pks).order_by("pk").values(*columns):
                current = addresses.get(address["contact_id"])
                if current is None or (address["kind"] == "home" and current["kind"] != "home"):
                    addresses[address["contact_id"]] = address
            for name, column in ADDRESS_FIELDS.items():
                related[name] = {pk: a[column] for pk, a in addresses.items()}
        if "email_lists" in wanted:
            memberships = ListMembership.objects.filter(contact_id__in=pks, contact_list__deleted_at__isnull=True)
            related["email_lists"] = _joined(memberships.values_list("contact_id", "contact_list__name"))
        if "tags" in wanted:
            related["tags"] = _joined(Tagging.objects.filter(contact_id__in=pks).values_list("contact_id", "tag__name"))
        if self.custom:
            by_field = {pk: name for name, pk in self.custom.items()}
            values = CustomFieldValue.objects.filter(contact_id__in=pks, custom_field_id__in=by_field)
            for pk, field, value in values.values_list("contact_id", "custom_field_id", "value"):
                related.setdefault(by_field[field], {})[pk] = value
        return related


def _joined(pairs: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Names per contact, sorted and joined with "; " (list and tag names may hold commas)."""
    names: dict[int, list[str]] = {}
    for pk, name in pairs:
        names.setdefault(pk, []).append(name)
    return {pk: "; ".join(sorted(values)) for pk, values in names.items()}


def run_contact_export(job: Job) -> None:
    """Write the CSV file batch by batch, then store it and link it as the activity's result."""
    activity = job.activity
    contacts = export_contacts(activity.account_id, job.params)
    total = contacts.count()
    activity.items_total_count, activity.items_completed_count = total, 0
    job.beat()
    reader = BatchReader(activity.account_id, job.params["fields"])
    with tempfile.TemporaryFile() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(job.params["fields"])
        last = 0
        while True:
            pks = list(contacts.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CONTACTS_PER_BATCH])
            if not pks:
                break
            writer.writerows(reader.rows(pks))
            last = pks[-1]
            job.increment(items_completed_count=len(pks))
            done = activity.items_completed_count or 0
            job.set_progress(done, max(total, done))
            job.beat()
        text.flush()
        text.detach()  # keep the binary file open for storing
        raw.seek(0)
        with job.batch():
            activity.result_file = default_storage.save(storage_name(activity, "contacts.csv"), File(raw))
