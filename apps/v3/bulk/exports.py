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
from collections.abc import Iterable
from itertools import combinations
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from apps.v3.account.models import Account
from apps.v3.bulk.files import storage_name
from apps.v3.bulk.import_rows import CUSTOM_PREFIX, account_custom_fields, normalize_column
from apps.v3.bulk.runner import Job, Plan
from apps.v3.bulk.sources import (
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
from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactList,
    ContactPhone,
    CustomFieldValue,
    ListMembership,
    PermissionToSend,
    Tag,
    Tagging,
)
from apps.v3.gate.errors import bad_request

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


# Columns the contact row itself answers: field name -> (model attribute, how it is written):
# "text" is what people typed (guarded against formulas), "date" an ISO-8601 time, "plain" the rest.
ROW_FIELDS: dict[str, tuple[str, str]] = {
    "contact_id": ("contact_id", "plain"),
    "email_address": ("email_address", "text"),
    "first_name": ("first_name", "text"),
    "last_name": ("last_name", "text"),
    "job_title": ("job_title", "text"),
    "company_name": ("company_name", "text"),
    "birthday_month": ("birthday_month", "plain"),
    "birthday_day": ("birthday_day", "plain"),
    "anniversary": ("anniversary", "text"),
    "permission_to_send": ("permission_to_send", "plain"),
    "sms_number": ("sms_address", "plain"),
    "sms_permission_to_send": ("sms_permission", "plain"),
    "sms_consent_date": ("sms_consent_date", "date"),
    "source_name": ("create_source", "plain"),
    "created_at": ("created_at", "date"),
    "updated_at": ("updated_at", "date"),
    "deleted_at": ("deleted_at", "date"),
    "email_optin_source": ("opt_in_source", "plain"),
    "email_optin_date": ("opt_in_date", "date"),
    "email_optout_source": ("opt_out_source", "plain"),
    "email_optout_date": ("opt_out_date", "date"),
    "email_optout_reason": ("opt_out_reason", "text"),
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


_RISKY_FIRST = frozenset("=@+-\t\r")


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection).

    Text starting with ``=``, ``@``, a tab or a carriage return, or with ``+``/``-`` followed by
    anything but a number, is prefixed with a quote; phone numbers like ``+1 555`` stay as they are.
    """
    if not text or text[0] not in _RISKY_FIRST:
        return text
    if text[0] in "+-" and text[1:].replace(" ", "").replace("-", "").replace(".", "").isdigit():
        return text
    return "'" + text


class BatchReader:
    """Reads one batch of contacts and only the related data the chosen columns need."""

    def __init__(self, account_id: int, fields: list[str]) -> None:
        self.fields = fields
        custom = account_custom_fields(account_id)
        self.custom = {f: custom[f[len(CUSTOM_PREFIX) :]].pk for f in fields if f.startswith(CUSTOM_PREFIX)}
        self.attributes = list(dict.fromkeys(ROW_FIELDS[f][0] for f in fields if f in ROW_FIELDS))
        lists = ContactList.objects.filter(account_id=account_id, deleted_at__isnull=True)
        self.list_names = dict(lists.values_list("pk", "name"))
        tags = Tag.objects.filter(account_id=account_id, deleted_at__isnull=True)
        self.tag_names = dict(tags.values_list("pk", "name"))

    def rows(self, batch: QuerySet[Contact]) -> tuple[list[list[Any]], int]:
        """The CSV rows of the batch's contacts in row-id order (the csv module writes None as ""), and the last id."""
        contacts = list(batch.order_by("pk").values_list("pk", *self.attributes))
        related = self._related(batch.values("pk"))
        plan: list[tuple[str, Any]] = []
        for name in self.fields:
            if name in ROW_FIELDS:
                attribute, kind = ROW_FIELDS[name]
                plan.append((kind, 1 + self.attributes.index(attribute)))
            else:
                plan.append(("related", related.get(name, {})))
        out = []
        for contact in contacts:
            row: list[Any] = []
            for kind, source in plan:
                if kind == "plain":
                    row.append(contact[source])
                elif kind == "text":
                    row.append(_safe(contact[source]))
                elif kind == "date":
                    row.append(contact[source].isoformat() if contact[source] is not None else None)
                else:
                    row.append(_safe(source.get(contact[0], "")))
            out.append(row)
        return out, contacts[-1][0] if contacts else 0

    def _related(self, pks: QuerySet[Any]) -> dict[str, dict[int, str]]:
        """Per column, the batch's values from other tables (``pks`` is a subquery, not a list)."""
        wanted = set(self.fields)
        related: dict[str, dict[int, str]] = {}
        if "phone_number" in wanted:
            phones: dict[int, str] = {}
            numbers = ContactPhone.objects.filter(contact_id__in=pks).order_by("pk")
            for pk, number in numbers.values_list("contact_id", "phone_number"):
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
        # Names come from the account's few lists and tags, read once, not joined row by row.
        if "email_lists" in wanted:
            memberships = ListMembership.objects.filter(contact_id__in=pks).values_list("contact_id", "contact_list_id")
            related["email_lists"] = _joined(memberships, self.list_names)
        if "tags" in wanted:
            taggings = Tagging.objects.filter(contact_id__in=pks).values_list("contact_id", "tag_id")
            related["tags"] = _joined(taggings, self.tag_names)
        if self.custom:
            by_field = {pk: name for name, pk in self.custom.items()}
            values = CustomFieldValue.objects.filter(contact_id__in=pks, custom_field_id__in=by_field)
            for pk, field, value in values.values_list("contact_id", "custom_field_id", "value"):
                related.setdefault(by_field[field], {})[pk] = value
        return related


def _joined(pairs: Iterable[tuple[int, int]], names: dict[int, str]) -> dict[int, str]:
    """Names per contact, sorted and joined with "; " (list and tag names may hold commas)."""
    found: dict[int, list[str]] = {}
    for pk, item in pairs:
        if item in names:  # a list deleted meanwhile is left out
            found.setdefault(pk, []).append(names[item])
    return {pk: "; ".join(sorted(values)) for pk, values in found.items()}


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
            # The batch is "the next 5,000 contacts": a range of ids under the export's filter, which the
            # related queries reuse as a subquery instead of carrying 5,000 ids each.
            after = contacts.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)
            upto = list(after[CONTACTS_PER_BATCH - 1 : CONTACTS_PER_BATCH])
            batch = contacts.filter(pk__gt=last, **({"pk__lte": upto[0]} if upto else {}))
            rows, last = reader.rows(batch)
            if not rows:
                break
            writer.writerows(rows)
            job.increment(items_completed_count=len(rows))
            done = activity.items_completed_count or 0
            job.set_progress(done, max(total, done))
            job.beat()
        text.flush()
        text.detach()  # keep the binary file open for storing
        raw.seek(0)
        # Named (and committed) before anything is stored: should the export then fail, its row
        # still says it may hold a file, and the retention sweep deletes whatever the attempts
        # left in its folder. Until the export completes, nothing serves or links the name.
        activity.result_file = storage_name(activity, "contacts.csv")
        job.beat()
        with job.batch():
            activity.result_file = default_storage.save(activity.result_file, File(raw))
