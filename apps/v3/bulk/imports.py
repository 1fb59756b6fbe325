"""Contact imports from a CSV file (``contacts_file_import``) or a JSON payload (``contacts_json_import``).

The request is checked when it arrives (columns, lists, size, encoding: a 400 or 404 at once);
the uploaded data is kept in default storage and the task imports it in batches of
:data:`BATCH_ROWS` rows. Each batch is one transaction: contacts are upserted by
``(account, email)`` in multi-row statements, then their custom field values, phones,
addresses and list memberships are written set-wise, then the checkpoint. A batch that runs
twice therefore changes nothing the first run did not, and a resumed run starts after the last
committed batch.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.bulk import writes as bulk
from apps.v3.bulk.import_rows import (
    CUSTOM_PREFIX,
    MAX_CONTACT_CUSTOM_FIELDS,
    MAX_PHONES,
    Row,
    RowProblem,
    RowReader,
    account_custom_fields,
    check_columns,
)
from apps.v3.bulk.runner import Job, Plan
from apps.v3.bulk.sources import LISTS, resolve
from apps.v3.common.text import unstorable_at
from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactList,
    ContactNote,
    ContactPhone,
    CustomFieldValue,
    ListMembership,
    PermissionToSend,
    SmsPermission,
    Tagging,
)
from apps.v3.gate.errors import V3Error, bad_request

MAX_BYTES = 4 * 1024 * 1024
MAX_LINES = 40_000  # including the header row
MAX_LISTS = 50
MAX_LIST_MEMBERSHIPS = 50
# 2,000 rows a batch: large enough that the per-statement cost (one upsert per 1,000 contacts,
# one insert each for their values and memberships) is spread thin, small enough that a batch
# commits in a fraction of a second, so progress moves visibly, locks are short and a killed
# worker redoes at most 2,000 rows.
BATCH_ROWS = 2_000
# Rows per statement of the ORM's bulk writes (phones, addresses, contacts with only a number).
STATEMENT_ROWS = 1_000
CSV_NAMES = (".csv", ".txt")
SMS_PERMISSIONS = (SmsPermission.NOT_SET, SmsPermission.EXPLICIT)
SOURCE = "Account"


# ---------------------------------------------------------------------------------------------
# Checking the request


def _sms_permission(value: Any, where: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in SMS_PERMISSIONS:
        raise bad_request(f"{where}: {value!r} is not one of {', '.join(SMS_PERMISSIONS)}")
    return str(value)


def _decode(raw: bytes) -> str:
    """The file as text: UTF-8 (a byte-order mark is allowed); anything else is a 400."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise bad_request(
            f"file: not UTF-8 text (undecodable byte at offset {exc.start}); save the CSV as UTF-8 and retry"
        ) from None
    if "\x00" in text:
        raise bad_request("file: not a text file (it contains NUL bytes)")
    return text


def _truncate(raw: bytes) -> tuple[bytes, str | None]:
    """The first 4 MB, cut after the last whole line; and a message when something was dropped."""
    if len(raw) <= MAX_BYTES:
        return raw, None
    cut = raw.rfind(b"\n", 0, MAX_BYTES)
    kept = raw[: cut + 1] if cut >= 0 else b""
    return kept, (
        f"file: larger than {MAX_BYTES // (1024 * 1024)} MB; only the lines in the first "
        f"{MAX_BYTES // (1024 * 1024)} MB ({len(kept)} bytes) were imported"
    )


def _csv_list_ids(data: Any) -> list[str]:
    """``list_ids`` as repeated form fields, comma-separated text, or both."""
    raw = data.getlist("list_ids") if hasattr(data, "getlist") else [data.get("list_ids", "")]
    return [item.strip() for value in raw for item in str(value).split(",") if item.strip()]


def read_file_import(account: Account, data: Any, upload: UploadedFile | None) -> Plan:
    """``POST /activities/contacts_file_import``: the checked form, the file kept for the task."""
    if upload is None:
        raise bad_request("file: a CSV file is required (multipart/form-data field 'file')")
    name = upload.name or "import.csv"
    if "." in name.rsplit("/", 1)[-1] and not name.lower().endswith(CSV_NAMES):
        raise V3Error(415, "api.unsupported_media_type", f"file: {name!r} is not a .csv file")
    sms_permission = _sms_permission(data.get("sms_permission_to_send"), "sms_permission_to_send")
    list_pks, _ = resolve(account, LISTS, _csv_list_ids(data), "list_ids", limit=MAX_LISTS, strict=True, required=True)
    # Only what can be imported is read: the first 4 MB and one byte to tell whether there is more.
    raw, dropped = _truncate(upload.read(MAX_BYTES + 1))
    text = _decode(raw)
    header = next(csv.reader(io.StringIO(text)), None)
    if not header or not any(cell.strip() for cell in header):
        raise bad_request("file: the file is empty; its first line must name the columns")
    check_columns(header, account_custom_fields(account.pk), "file", csv=True, sms_permission=sms_permission)
    return Plan(
        params={"format": "csv", "lists": list_pks, "sms_permission": sms_permission},
        errors=[dropped] if dropped else [],
        source_file_name=name.rsplit("/", 1)[-1][:255],
        files={"source.csv": raw},
    )


def read_json_import(account: Account, body: Any) -> Plan:
    """``POST /activities/contacts_json_import``: the checked body, its contacts kept for the task.

    Only the envelope is checked here; each contact is checked when it is imported, so one bad
    contact becomes an activity error and the others still go in.
    """
    if not isinstance(body, dict):
        raise bad_request("body: must be a JSON object with import_data and list_ids")
    contacts = body.get("import_data")
    if not isinstance(contacts, list) or not contacts:
        raise bad_request("import_data: must be a non-empty array of contacts")
    if not all(isinstance(c, dict) for c in contacts):
        raise bad_request("import_data: every item must be an object")
    raw_lists = body.get("list_ids")
    if not isinstance(raw_lists, list):
        raise bad_request("list_ids: must be an array of list ids")
    sms_permission = _sms_permission(body.get("sms_permission_to_send"), "sms_permission_to_send")
    keys = {key for contact in contacts for key in contact}
    # Names become columns and error messages, so they must be storable text; a bad value is
    # only its row's problem (checked when the row is read), but a bad name is the request's.
    found = unstorable_at({k: v for k, v in body.items() if k != "import_data"}) or unstorable_at(
        {key: None for key in keys}, "import_data"
    )
    if found:
        raise bad_request(f"{found[0]}: {found[1]}")
    check_columns(sorted(keys), account_custom_fields(account.pk), "import_data", csv=False, sms_permission=None)
    list_pks, errors = resolve(account, LISTS, raw_lists, "list_ids", limit=MAX_LISTS, strict=False, required=True)
    payload = json.dumps(contacts, separators=(",", ":")).encode()
    return Plan(
        params={"format": "json", "lists": list_pks, "sms_permission": sms_permission},
        errors=errors,
        counts={"items_total_count": len(contacts), "person_count": len(contacts)},
        files={"import.json": payload},
    )


# ---------------------------------------------------------------------------------------------
# Reading the stored data


def _stored_rows(job: Job) -> tuple[list[tuple[str, dict[str, Any]]], int, int]:
    """(label, contact) pairs to import; the file's line count; the rows dropped past the limit."""
    params = job.params
    if params["format"] == "json":
        with default_storage.open(params["import.json_file"], "rb") as handle:
            contacts = json.load(handle)
        return [(f"import_data[{i}]", c) for i, c in enumerate(contacts)], len(contacts), 0
    with default_storage.open(params["source.csv_file"], "rb") as handle:
        text = handle.read().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    rows: list[tuple[str, dict[str, Any]]] = []
    dropped = 0
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not contacts
        if len(rows) + 1 >= MAX_LINES:
            dropped += 1
            continue
        rows.append((f"line {reader.line_num}", dict(zip(header, cells, strict=False))))
    return rows, len(rows) + 1, dropped


# ---------------------------------------------------------------------------------------------
# Writing a batch


_TEXT_COLUMNS = ("first_name", "last_name", "job_title", "company_name", "anniversary")
# Columns a re-import keeps when a row leaves them out (or blank), and those a revival resets.
_REVIVAL_RESET = {name: "" for name in _TEXT_COLUMNS} | {"birthday_month": None, "birthday_day": None}
_REVIVAL_RESET_KEEP_NUMBER = _REVIVAL_RESET | {"sms_permission": SmsPermission.NOT_SET, "sms_consent_date": None}
_REVIVAL_RESET |= {"sms_address": ""} | _REVIVAL_RESET_KEEP_NUMBER
# Every column of a new contact (the table has no database defaults), in insert order.
CONTACT_COLUMNS = [f.attname for f in Contact._meta.concrete_fields if not f.primary_key]
_SMS_GIVEN = "excluded.sms_address <> ''"
# On conflict: what the row leaves blank is kept, its SMS fields move only with a number, the
# email consent and the contact's id never change, and a deleted contact is revived.
CONTACT_UPDATE = (
    {name: f"COALESCE(NULLIF(excluded.{name}, ''), {{table}}.{name})" for name in _TEXT_COLUMNS}
    | {name: f"COALESCE(excluded.{name}, {{table}}.{name})" for name in ("birthday_month", "birthday_day")}
    | {
        name: f"CASE WHEN {_SMS_GIVEN} THEN excluded.{name} ELSE {{table}}.{name} END"
        for name in ("sms_address", "sms_permission", "sms_consent_date")
    }
    | {"update_source": "excluded.update_source", "updated_at": "excluded.updated_at", "deleted_at": "NULL"}
)


def _contact_defaults() -> dict[str, Any]:
    """The values of a contact nobody has said anything about (the model's defaults)."""
    blank = Contact()
    return {name: getattr(blank, name) for name in CONTACT_COLUMNS}


def _new_contact(defaults: dict[str, Any], account_id: int, row: Row, permission: str, now: datetime) -> dict[str, Any]:
    """The columns of the contact a row makes when its email (or number) is new to the account."""
    contact = defaults | row.scalars
    contact |= {"account_id": account_id, "contact_id": uuid.uuid4(), "email_address": row.email}
    contact |= {"create_source": SOURCE, "update_source": SOURCE, "created_at": now, "updated_at": now}
    if row.email:
        # The spec: a new imported address is implicit, opted in by the account.
        contact |= {"permission_to_send": PermissionToSend.IMPLICIT, "opt_in_source": SOURCE}
        contact |= {"opt_in_date": now, "email_created_at": now, "email_updated_at": now}
    if row.sms:
        contact |= {"sms_address": row.sms, "sms_permission": permission, "sms_consent_date": row.sms_consent}
    return contact


class BatchWriter:
    """Writes one batch of checked rows set-wise; the caller holds the transaction."""

    def __init__(self, account_id: int, list_pks: list[int], sms_permission: str | None, job: Job) -> None:
        self.account_id = account_id
        self.list_pks = list_pks
        self.sms_permission = sms_permission or SmsPermission.NOT_SET
        self.job = job
        self.now = timezone.now()
        self.defaults = _contact_defaults()
        # Contacts that existed before this batch: only they can already have values, phones,
        # addresses or lists, so only they are looked up (new ones need no query at all).
        self.prior: set[int] = set()

    def write(self, rows: list[Row]) -> None:
        """Upsert the contacts, then what hangs off them."""
        by_email = {r.email: r for r in rows if r.email}
        by_sms = {r.sms: r for r in rows if not r.email}
        mine = Contact.objects.filter(account_id=self.account_id)
        # Excluding "" lets the database use the (partial) unique index on (account, email).
        known = list(
            mine.filter(email_address__in=list(by_email))
            .exclude(email_address="")
            .values_list("pk", "email_address", "deleted_at")
        )
        known += self._give_emails(mine, by_email, {email for _, email, _ in known})
        self.prior = {pk for pk, _, _ in known}
        self._revive([pk for pk, _, deleted_at in known if deleted_at is not None], _REVIVAL_RESET)
        numbers = list(mine.filter(sms_address__in=list(by_sms)).values_list("pk", "deleted_at")) if by_sms else []
        self.prior |= {pk for pk, _ in numbers}
        self._revive([pk for pk, deleted_at in numbers if deleted_at is not None], _REVIVAL_RESET_KEEP_NUMBER)
        contacts = self._upsert_emails(list(by_email.values()))
        for pk, (row, permission) in self._upsert_sms_only(by_sms).items():
            if pk in contacts:  # one contact named by its email in one row and by its number in another
                contacts[pk][0].merge(row)
            else:
                contacts[pk] = (row, permission)
        self._write_custom_fields(contacts)
        self._write_phones(contacts)
        self._write_addresses(contacts)
        self._write_lists(contacts)

    def _give_emails(
        self, mine: QuerySet[Contact], by_email: dict[str, Row], known: set[str]
    ) -> list[tuple[int, str, datetime | None]]:
        """A new email whose row's number belongs to a contact without email becomes that contact's.

        Contacts are known by their email or their number, so such a row describes the same person.
        """
        numbers = {row.sms: email for email, row in by_email.items() if row.sms and email not in known}
        if not numbers:
            return []
        taken: dict[str, tuple[int, datetime | None]] = {}
        orphans = mine.filter(email_address="", sms_address__in=list(numbers))
        for pk, number, deleted_at in orphans.order_by(F("deleted_at").asc(nulls_first=True), "pk").values_list(
            "pk", "sms_address", "deleted_at"
        ):
            taken.setdefault(number, (pk, deleted_at))
        claimed = []
        for number, (pk, _) in taken.items():
            contact = Contact(pk=pk, email_address=numbers[number], permission_to_send=PermissionToSend.IMPLICIT)
            contact.opt_in_source, contact.opt_in_date = SOURCE, self.now
            contact.email_created_at = contact.email_updated_at = self.now
            claimed.append(contact)
        email_fields = ["email_address", "permission_to_send", "opt_in_source", "opt_in_date"]
        email_fields += ["email_created_at", "email_updated_at"]
        Contact.objects.bulk_update(claimed, email_fields, batch_size=STATEMENT_ROWS)
        return [(pk, numbers[number], deleted_at) for number, (pk, deleted_at) in taken.items()]

    def _permission(self, row: Row) -> str:
        """The row's SMS permission: explicit needs the row's consent date, else it is not set."""
        if self.sms_permission == SmsPermission.EXPLICIT and row.sms_consent is None:
            return SmsPermission.NOT_SET
        return self.sms_permission

    @staticmethod
    def _revive(revived: list[int], reset: dict[str, Any]) -> None:
        """Deleted contacts a row brings back start afresh, as ``POST /contacts`` revives them.

        Their email consent stays (a revival never undoes an unsubscribe); everything else
        is cleared first, so the row alone says what the revived contact holds.
        """
        if not revived:
            return
        Contact.objects.filter(pk__in=revived).update(**reset)
        for model in (CustomFieldValue, ContactPhone, ContactAddress, ContactNote, ListMembership, Tagging):
            model._default_manager.filter(contact_id__in=revived).delete()

    def _upsert_emails(self, rows: list[Row]) -> dict[int, tuple[Row, str]]:
        """One upsert on ``(account, email)`` for the batch's rows with an email."""
        values = [
            tuple(contact[name] for name in CONTACT_COLUMNS)
            for contact in (
                _new_contact(self.defaults, self.account_id, r, self._permission(r), self.now) for r in rows
            )
        ]
        returned = bulk.upsert(
            Contact,
            CONTACT_COLUMNS,
            values,
            conflict=("account", "email_address"),
            conflict_where="NOT (email_address = '')",  # the partial unique index's own condition
            update=CONTACT_UPDATE,
            returning=("id", "email_address", "permission_to_send"),
        )
        by_email = {r.email: r for r in rows}
        return {pk: (by_email[email], permission) for pk, email, permission in returned}

    def _upsert_sms_only(self, by_sms: dict[str, Row]) -> dict[int, tuple[Row, str]]:
        """Rows with a number and no email update the account's contact with that number, or make one."""
        if not by_sms:
            return {}
        existing: dict[str, Contact] = {}
        matches = Contact.objects.filter(account_id=self.account_id, sms_address__in=list(by_sms))
        # Several contacts may share a number: the live one first, then the oldest.
        for contact in matches.order_by(F("deleted_at").asc(nulls_first=True), "pk"):
            existing.setdefault(contact.sms_address, contact)
        changed: set[str] = {"update_source", "updated_at", "deleted_at", "sms_permission", "sms_consent_date"}
        for number, contact in existing.items():
            row = by_sms[number]
            for name, value in row.scalars.items():
                setattr(contact, name, value)
                changed.add(name)
            contact.sms_permission, contact.sms_consent_date = self._permission(row), row.sms_consent
            contact.update_source, contact.updated_at, contact.deleted_at = SOURCE, self.now, None
        Contact.objects.bulk_update(list(existing.values()), sorted(changed), batch_size=STATEMENT_ROWS)
        new = [
            Contact(**_new_contact(self.defaults, self.account_id, row, self._permission(row), self.now))
            for number, row in by_sms.items()
            if number not in existing
        ]
        Contact.objects.bulk_create(new, batch_size=STATEMENT_ROWS)
        return {c.pk: (by_sms[c.sms_address], c.permission_to_send) for c in [*existing.values(), *new]}

    def _write_custom_fields(self, contacts: dict[int, tuple[Row, str]]) -> None:
        with_values = {pk: row for pk, (row, _) in contacts.items() if row.values}
        if not with_values:
            return
        file_fields = {field for row in with_values.values() for field in row.values}
        # Values for other fields count toward the contact's 25 too.
        others = dict(
            CustomFieldValue.objects.filter(contact_id__in=sorted(self.prior & set(with_values)))
            .exclude(custom_field_id__in=file_fields)
            .values("contact_id")
            .annotate(n=Count("pk"))
            .values_list("contact_id", "n")
        )
        values = []
        for pk, row in with_values.items():
            if others.get(pk, 0) + len(row.values) > MAX_CONTACT_CUSTOM_FIELDS:
                self._row_error(row, f"custom fields not imported: a contact has at most {MAX_CONTACT_CUSTOM_FIELDS}")
                continue
            values += [(pk, field, value, choices) for field, (value, choices) in row.values.items()]
        columns = ("contact_id", "custom_field_id", "value", "choice_ids")
        fresh, known = self._split(values)
        # A contact created in this transaction has no values yet, so its rows cannot conflict.
        bulk.upsert(CustomFieldValue, columns, fresh)
        update = {"value": "excluded.value", "choice_ids": "excluded.choice_ids"}
        bulk.upsert(CustomFieldValue, columns, known, conflict=("contact", "custom_field"), update=update)

    def _write_phones(self, contacts: dict[int, tuple[Row, str]]) -> None:
        """A number replaces the contact's number of the same kind; at most three kinds in all."""
        with_phones = {pk: row for pk, (row, _) in contacts.items() if row.phones}
        if not with_phones:
            return
        kinds: dict[int, set[str]] = {}
        existing = ContactPhone.objects.filter(contact_id__in=sorted(self.prior & set(with_phones)))
        for pk, kind in existing.values_list("contact_id", "kind"):
            kinds.setdefault(pk, set()).add(kind)
        replace: dict[str, list[int]] = {}
        phones = []
        for pk, row in with_phones.items():
            if len(kinds.get(pk, set()) | set(row.phones)) > MAX_PHONES:
                self._row_error(row, f"phone numbers not imported: a contact has at most {MAX_PHONES}")
                continue
            for kind, number in row.phones.items():
                replace.setdefault(kind, []).append(pk)
                phones.append(
                    ContactPhone(
                        contact_id=pk, kind=kind, phone_number=number, create_source=SOURCE, update_source=SOURCE
                    )
                )
        for kind, pks in replace.items():
            ContactPhone.objects.filter(contact_id__in=[pk for pk in pks if pk in self.prior], kind=kind).delete()
        ContactPhone.objects.bulk_create(phones, batch_size=STATEMENT_ROWS)

    def _write_addresses(self, contacts: dict[int, tuple[Row, str]]) -> None:
        """An address replaces the contact's address of the same kind (three kinds, so never more than three)."""
        replace: dict[str, list[int]] = {}
        addresses = []
        for pk, (row, _) in contacts.items():
            for kind, parts in row.addresses.items():
                replace.setdefault(kind, []).append(pk)
                addresses.append(ContactAddress(contact_id=pk, kind=kind, **parts))
        for kind, pks in replace.items():
            ContactAddress.objects.filter(contact_id__in=[pk for pk in pks if pk in self.prior], kind=kind).delete()
        ContactAddress.objects.bulk_create(addresses, batch_size=STATEMENT_ROWS)

    def _write_lists(self, contacts: dict[int, tuple[Row, str]]) -> None:
        """Every contact joins the lists, but for unsubscribed ones and those already on 50 lists."""
        if not self.list_pks:
            return
        unsubscribed = [pk for pk, (_, permission) in contacts.items() if permission == PermissionToSend.UNSUBSCRIBED]
        self.job.increment(cannot_add_to_list_count=len(unsubscribed))
        joining = sorted(set(contacts) - set(unsubscribed))
        full = set(
            ListMembership.objects.filter(
                contact_id__in=sorted(self.prior & set(joining)), contact_list__deleted_at__isnull=True
            )
            .exclude(contact_list_id__in=self.list_pks)
            .values("contact_id")
            .annotate(n=Count("pk"))
            .filter(n__gt=MAX_LIST_MEMBERSHIPS - len(self.list_pks))
            .values_list("contact_id", flat=True)
        )
        for pk in full:
            self._row_error(
                contacts[pk][0], f"not added to the lists: a contact may be on at most {MAX_LIST_MEMBERSHIPS}"
            )
        pairs = [(pk, lst, self.now) for pk in joining if pk not in full for lst in self.list_pks]
        fresh, known = self._split(pairs)
        columns = ("contact_id", "contact_list_id", "created_at")
        bulk.upsert(ListMembership, columns, fresh)
        bulk.upsert(ListMembership, columns, known, conflict=("contact_list", "contact"))

    def _split(self, rows: list[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Rows (led by a contact id) of contacts new in this batch, and of contacts that existed before."""
        fresh: list[tuple[Any, ...]] = []
        known: list[tuple[Any, ...]] = []
        for row in rows:
            (known if row[0] in self.prior else fresh).append(row)
        return fresh, known

    def _row_error(self, row: Row, message: str) -> None:
        self.job.add_error(f"{row.label}: {message}")
        self.job.increment(error_count=1)


# ---------------------------------------------------------------------------------------------
# The task


def run_import(job: Job) -> None:
    """Import the stored contacts in batches, resuming after the last committed one."""
    activity = job.activity
    rows, lines, dropped = _stored_rows(job)
    if job.checkpoint == 0 and activity.error_count is None:
        activity.error_count = activity.correctable_count = activity.cannot_add_to_list_count = 0
        if job.params["format"] == "csv":
            activity.items_total_count, activity.person_count = lines, len(rows)
        if dropped:
            job.add_error(
                f"file: {dropped} rows past line {MAX_LINES} were not imported (a file holds at most {MAX_LINES} lines)"
            )
        job.beat()
    lists = list(
        ContactList.objects.filter(
            pk__in=job.params["lists"], account_id=activity.account_id, deleted_at__isnull=True
        ).values_list("pk", flat=True)
    )
    reader = RowReader(
        account_custom_fields(activity.account_id), job.params["sms_permission"], csv=job.params["format"] == "csv"
    )
    done = job.checkpoint
    while done < len(rows):
        batch = rows[done : done + BATCH_ROWS]
        done += len(batch)
        with job.batch(checkpoint=done):
            checked: dict[str, Row] = {}
            for label, raw in batch:
                try:
                    row = reader.read(label, raw)
                except RowProblem as problem:
                    job.add_error(problem.message)
                    job.increment(**{"correctable_count" if problem.correctable else "error_count": 1})
                    continue
                key = row.email or f"sms:{row.sms}"
                # The same contact twice in a batch: one upsert, the later values winning.
                if key in checked:
                    checked[key].merge(row)
                else:
                    checked[key] = row
            BatchWriter(activity.account_id, lists, job.params["sms_permission"], job).write(list(checked.values()))
            job.set_progress(done, len(rows))


__all__ = ["CUSTOM_PREFIX", "read_file_import", "read_json_import", "run_import"]
