#!/usr/bin/env python
"""Bulk activities benchmark: a 40,000-line CSV import and a 100,000-contact export, each timed from
the POST to state ``completed`` with a real Celery worker, beside its floor.

The floor is the same data moved with one raw statement per table and no checking: the import's
contacts, custom field values and list memberships inserted with one bulk insert each in one
transaction; the export's rows read with one query and written as CSV. Honours DATABASE_URL (run it
on PostgreSQL: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctctdash_dev_bulk``), but works in a
throwaway database made next to it (Django's test-database machinery), so every run starts from the
same empty tables and nothing the configured database holds is touched; the broker is
CELERY_BROKER_URL or a Redis database on 127.0.0.1:6379 claimed for the run.

    .venv/bin/python bench/bench_bulk.py [--rows 39999] [--export-rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctctdash.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from apps.v3.account.models import Account, AccountMembership, Role  # noqa: E402
from apps.v3.bulk import writes as bulk  # noqa: E402
from apps.v3.bulk.imports import CONTACT_COLUMNS, _contact_defaults  # noqa: E402
from apps.v3.contacts.models import (  # noqa: E402
    Contact,
    ContactList,
    CustomField,
    CustomFieldValue,
    ListMembership,
)
from apps.v3.oauth.tokens import issue_token  # noqa: E402
from tests.worker import BrokerClaim, CeleryWorker, database_url, use_broker, wait_for  # noqa: E402

FIELDS = 5
LISTS = 3


def make_account(tag: str) -> tuple[Account, list[ContactList], list[CustomField]]:
    """A fresh account with three lists and five custom fields."""
    account = Account.objects.create(organization_name=f"bench {tag} {uuid.uuid4().hex[:6]}")
    lists = [ContactList.objects.create(account=account, name=f"Bench list {i}") for i in range(LISTS)]
    fields = [
        CustomField.objects.create(account=account, label=f"Field {i}", name=f"field_{i}", type="string")
        for i in range(FIELDS)
    ]
    return account, lists, fields


def client_for(account: Account) -> Client:
    """A test client with an owner's bearer token for ``account``."""
    from django.contrib.auth.models import User

    user = User.objects.create_user(f"bench-{uuid.uuid4().hex[:8]}")
    AccountMembership.objects.create(account=account, user=user, role=Role.ACCOUNT_OWNER)
    app = Application.objects.create(
        name="bench",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1/cb",
    )
    token = issue_token(account, user, ["contact_data"], app)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")


def person(i: int) -> list[str]:
    """One contact's CSV cells."""
    return [f"p{i}@example.com", f"F{i}", f"L{i}", "Engineer", "Acme"] + [f"v{i}.{j}" for j in range(FIELDS)]


def import_csv(rows: int) -> bytes:
    """The import file: a header and ``rows`` contacts with five custom field columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["email", "first_name", "last_name", "job_title", "company_name"] + [f"cf:field_{j}" for j in range(FIELDS)]
    )
    writer.writerows(person(i) for i in range(rows))
    return out.getvalue().encode()


def wait_completed(client: Client, activity_id: str, worker: CeleryWorker, timeout: float = 600) -> dict[str, Any]:
    """Poll ``GET /activities/{id}`` until the activity finishes."""

    def done() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get(f"/v3/activities/{activity_id}").json()
        if body["state"] in ("failed", "timed_out", "cancelled"):
            raise SystemExit(
                f"activity {activity_id} ended {body['state']}: {body['activity_errors'][:5]}\n{worker.log_tail()}"
            )
        return body if body["state"] == "completed" else None

    result: dict[str, Any] = wait_for(done, timeout, f"activity {activity_id}", interval=0.05)
    return result


def bench_import(rows: int, worker: CeleryWorker) -> tuple[float, float]:
    """Seconds from POST to completed for the CSV import, and for its floor."""
    account, lists, _ = make_account("import")
    client = client_for(account)
    payload = import_csv(rows)
    started = time.perf_counter()
    response = client.post(
        "/v3/activities/contacts_file_import",
        {
            "file": io.BytesIO(payload),
            "list_ids": ",".join(str(lst.list_id) for lst in lists),
        },
    )
    assert response.status_code == 201, response.content
    body = wait_completed(client, response.json()["activity_id"], worker)
    elapsed = time.perf_counter() - started
    assert body["status"]["person_count"] == rows and body["status"]["error_count"] == 0, body
    assert Contact.objects.filter(account=account).count() == rows
    return elapsed, import_floor(rows)


def insert_contacts(account: Account, lists: list[ContactList], fields: list[CustomField], rows: int) -> None:
    """``person(i)`` contacts with their custom field values and memberships, one bulk insert per table."""
    now, defaults = timezone.now(), _contact_defaults()
    contacts = []
    for i in range(rows):
        cells = person(i)
        values = defaults | {"account_id": account.pk, "contact_id": uuid.uuid4(), "email_address": cells[0]}
        values |= {"first_name": cells[1], "last_name": cells[2], "job_title": cells[3], "company_name": cells[4]}
        values |= {"created_at": now, "updated_at": now}
        contacts.append(tuple(values[name] for name in CONTACT_COLUMNS))
    bulk.upsert(Contact, CONTACT_COLUMNS, contacts)
    ids = list(Contact.objects.filter(account=account).order_by("pk").values_list("pk", flat=True))
    bulk.upsert(
        CustomFieldValue,
        ("contact_id", "custom_field_id", "value", "choice_ids"),
        [(pk, f.pk, f"v{i}.{j}", []) for i, pk in enumerate(ids) for j, f in enumerate(fields)],
    )
    bulk.upsert(
        ListMembership,
        ("contact_id", "contact_list_id", "created_at"),
        [(pk, lst.pk, now) for pk in ids for lst in lists],
    )


def import_floor(rows: int) -> float:
    """The same contacts, values and memberships with one bulk insert (COPY) per table, in one transaction."""
    account, lists, fields = make_account("floor")
    started = time.perf_counter()
    with transaction.atomic():
        insert_contacts(account, lists, fields, rows)
    return time.perf_counter() - started


def seed_export(rows: int) -> tuple[Account, Client]:
    """An account of ``rows`` contacts, each with five custom field values and on three lists (not timed)."""
    account, lists, fields = make_account("export")
    with transaction.atomic():
        insert_contacts(account, lists, fields, rows)
    return account, client_for(account)


def bench_export(rows: int, worker: CeleryWorker) -> tuple[float, float]:
    """Seconds from POST to completed for an export of every field, and for its floor."""
    account, client = seed_export(rows)
    started = time.perf_counter()
    response = client.post("/v3/activities/contact_exports", "{}", content_type="application/json")
    assert response.status_code == 201, response.content
    body = wait_completed(client, response.json()["activity_id"], worker)
    elapsed = time.perf_counter() - started
    assert body["status"]["items_completed_count"] == rows, body
    return elapsed, export_floor(account)


def export_floor(account: Account) -> float:
    """One query for the same rows (contact columns, lists and custom field values), written as CSV."""
    contacts = Contact.objects.filter(account=account, deleted_at__isnull=True)
    started = time.perf_counter()
    memberships: dict[int, list[str]] = {}
    for pk, name in ListMembership.objects.filter(contact__in=contacts).values_list("contact_id", "contact_list__name"):
        memberships.setdefault(pk, []).append(name)
    values: dict[int, dict[int, str]] = {}
    for pk, field, value in CustomFieldValue.objects.filter(contact__in=contacts).values_list(
        "contact_id", "custom_field_id", "value"
    ):
        values.setdefault(pk, {})[field] = value
    columns = [f.attname for f in Contact._meta.concrete_fields]
    with tempfile.TemporaryFile("w+", newline="") as out:
        writer = csv.writer(out)
        for row in contacts.order_by("pk").values_list(*columns):
            pk = row[0]
            writer.writerow([*row, "; ".join(memberships.get(pk, [])), *values.get(pk, {}).values()])
    return time.perf_counter() - started


def main() -> None:
    """Run both benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=39_999, help="contacts in the CSV (39,999 + header = 40,000 lines)")
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case; the table shows their median")
    args = parser.parse_args()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    database = connection.settings_dict["NAME"]
    claim = BrokerClaim()
    use_broker(claim.url)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    worker = CeleryWorker(
        claim.url, database_url(connection.settings_dict), log_dir, os.environ["DJANGO_SETTINGS_MODULE"]
    )
    cases = [
        (f"import CSV: {args.rows + 1:,} lines, {FIELDS} custom fields, {LISTS} lists", bench_import, args.rows),
        (f"export: {args.export_rows:,} contacts, every field", bench_export, args.export_rows),
    ]
    results = []
    try:
        worker.start()
        for name, bench, rows in cases:
            runs = [bench(rows, worker) for _ in range(args.repeat)]
            results.append((name, runs))
    finally:
        worker.stop()
        claim.release()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"\nbulk activities on {connection.vendor} ({database}, made for the run), {os.cpu_count()} CPUs")
    print(f"{'case':<58}{'activity':>10}{'floor':>9}{'ratio':>8}   activity runs")
    for name, runs in results:
        activity = statistics.median(run[0] for run in runs)
        floor = statistics.median(run[1] for run in runs)
        spread = ", ".join(f"{run[0]:.2f}" for run in runs)
        print(f"{name:<58}{activity:>9.2f}s{floor:>8.2f}s{activity / floor:>7.1f}x   {spread}")
    print(f"(medians of {args.repeat} runs; activity: POST to state completed with a real worker)")
    print(f"(worker log in {log_dir})")


if __name__ == "__main__":
    main()
