"""Bulk Activities over HTTP: every operation's 201 and errors, and the work each activity does.

The work is run in this process with ``apps.v3.bulk.process`` (the function the Celery task
calls), so these tests see exactly what a worker would write; ``test_bulk_worker.py`` runs the
same work in a real worker process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.v3.account.models import Account
from apps.v3.bulk import handlers as activities
from apps.v3.bulk import imports, memberships, runner
from apps.v3.bulk.models import Activity, ActivityKind, ActivityState
from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactList,
    ContactPhone,
    CustomField,
    CustomFieldChoice,
    CustomFieldValue,
    ListMembership,
    Segment,
    Tag,
    Tagging,
)
from apps.v3.contract import validate_django_response, validate_response
from tests.v3.conftest import V3Api

# --- helpers ---------------------------------------------------------------------------------


def fake_id(i: int) -> str:
    """A well-formed UUID no resource has."""
    return f"00000000-0000-4000-8000-{i:012d}"


def error_of(response: Any) -> dict[str, str]:
    """The first entry of an array error envelope."""
    body = response.json()
    assert isinstance(body, list) and body, body
    return body[0]


def make_list(account: Account, name: str) -> ContactList:
    """A live list of ``account``."""
    return ContactList.objects.create(account=account, name=name)


def make_contacts(account: Account, n: int, prefix: str = "c", **fields: Any) -> list[Contact]:
    """``n`` contacts ``{prefix}{i}@example.com`` with ``fields``."""
    return [
        Contact.objects.create(account=account, email_address=f"{prefix}{i}@example.com", **fields) for i in range(n)
    ]


def join(contacts: list[Contact], *lists: ContactList) -> None:
    """Put every contact on every list."""
    ListMembership.objects.bulk_create([ListMembership(contact=c, contact_list=lst) for c in contacts for lst in lists])


def tag(contacts: list[Contact], *tags: Tag) -> None:
    """Put every tag on every contact."""
    Tagging.objects.bulk_create([Tagging(contact=c, tag=t) for c in contacts for t in tags])


def make_field(account: Account, name: str, kind: str = "string", choices: tuple[str, ...] = ()) -> CustomField:
    """A custom field (with choices for the select types)."""
    field = CustomField.objects.create(account=account, label=name, name=name, type=kind)
    for i, label in enumerate(choices, start=1):
        CustomFieldChoice.objects.create(custom_field=field, choice_id=i, choice_label=label)
    return field


def csv_text(header: list[str], *rows: list[str]) -> str:
    """A CSV document."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def post_file(
    api: V3Api,
    content: str | bytes,
    list_ids: list[str] | str | None,
    name: str = "contacts.csv",
    **fields: str,
) -> Any:
    """``POST /activities/contacts_file_import`` as multipart/form-data; the response is checked against the spec."""
    raw = content.encode() if isinstance(content, str) else content
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, raw, content_type="text/csv"), **fields}
    if list_ids is not None:
        data["list_ids"] = list_ids
    response = api.client.post("/v3/activities/contacts_file_import", data=data)
    validate_django_response(response)
    return response


def download(api: V3Api, path: str) -> str:
    """``GET`` an export file (streamed, so checked here rather than by the client) and return its text."""
    response = api.get(path, headers={"Accept": "text/csv"}, validate=False)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode()
    validate_response("GET", "/v3" + path, 200, text, response["Content-Type"])
    return text


def created(response: Any, status: int = 201) -> Activity:
    """The activity a 201 (a single list or tag DELETE: 202) answered with, linked where GET /activities finds it."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["state"] == "initialized"
    assert body["_links"]["self"]["href"] == f"/v3/activities/{body['activity_id']}"
    return Activity.objects.get(activity_id=body["activity_id"])


def run(api: V3Api, activity: Activity) -> dict[str, Any]:
    """Do the activity's work here, as the worker would, and return ``GET /activities/{id}``."""
    activities.process(activity.pk)
    response = api.get(f"/activities/{activity.activity_id}")
    assert response.status_code == 200, response.content
    return response.json()


def email_segment(account: Account, name: str, op: str, value: str) -> Segment:
    """A segment of the contacts whose email address meets ``op value``."""
    condition = {"source": "contact", "field": "email_address", "op": op, "const_value": value}
    criteria = {"version": "1.0.0", "criteria": {"type": "and", "group": [condition]}}
    return Segment.objects.create(account=account, name=name, segment_criteria=json.dumps(criteria))


def emails(account: Account, **filters: Any) -> set[str]:
    """The email addresses of the account's contacts."""
    return set(Contact.objects.filter(account=account, **filters).values_list("email_address", flat=True))


@pytest.fixture
def lists(api: V3Api) -> list[ContactList]:
    """Three lists of the caller's account."""
    return [make_list(api.account, f"List {i}") for i in range(3)]


# --- contacts_file_import --------------------------------------------------------------------


def test_file_import_answers_201_and_imports_every_column(api: V3Api, lists: list[ContactList]) -> None:
    color = make_field(api.account, "color")
    size = make_field(api.account, "size", "single_select", ("Small", "Large"))
    text = csv_text(
        ["Email", "first_name", "last_name", "phone", "work_phone", "street", "street2", "city", "zip", "country"]
        + ["birthday_month", "birthday_day", "anniversary", "job_title", "company_name", "cf:color", "cf:Size"],
        ["Ann@Example.com", "Ann", "Lee", "555-1000", "555-2000", "1 Main St", "Apt 2", "Springfield", "12345", "US"]
        + ["4", "12", "2001-05-06", "Chef", "Acme", "blue", "large"],
        ["bob@example.com", "Bob", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    )
    response = post_file(api, text, ",".join(str(lst.list_id) for lst in lists[:2]))
    activity = created(response)
    assert response.json()["source_file_name"] == "contacts.csv"
    body = run(api, activity)
    assert body["state"] == "completed" and body["percent_done"] == 100, body
    assert body["status"] == {
        "items_total_count": 3,
        "person_count": 2,
        "error_count": 0,
        "correctable_count": 0,
        "cannot_add_to_list_count": 0,
    }
    assert body["activity_errors"] == []
    ann = Contact.objects.get(account=api.account, email_address="ann@example.com")
    assert (ann.first_name, ann.last_name, ann.job_title, ann.company_name) == ("Ann", "Lee", "Chef", "Acme")
    assert (ann.birthday_month, ann.birthday_day, ann.anniversary) == (4, 12, "2001-05-06")
    assert (ann.permission_to_send, ann.opt_in_source, ann.create_source) == ("implicit", "Account", "Account")
    assert dict(ContactPhone.objects.filter(contact=ann).values_list("kind", "phone_number")) == {
        "other": "555-1000",
        "work": "555-2000",
    }
    address = ContactAddress.objects.get(contact=ann)
    assert (address.kind, address.street, address.city, address.postal_code) == (
        "home",
        "1 Main St Apt 2",
        "Springfield",
        "12345",
    )
    values = {v.custom_field_id: (v.value, v.choice_ids) for v in CustomFieldValue.objects.filter(contact=ann)}
    assert values == {color.pk: ("blue", []), size.pk: ("large", [2])}
    members = ListMembership.objects.filter(contact__account=api.account)
    assert set(members.values_list("contact__email_address", "contact_list__name")) == {
        (e, lst.name) for e in ("ann@example.com", "bob@example.com") for lst in lists[:2]
    }


def test_the_uploaded_file_is_stored_for_the_task_and_removed_once_imported(
    api: V3Api, lists: list[ContactList]
) -> None:
    activity = created(post_file(api, csv_text(["email"], ["a@example.com"]), str(lists[0].list_id)))
    stored = activity.params["source.csv_file"]
    assert stored.startswith(f"activities/{api.account.encoded_account_id}/{activity.activity_id}/")
    assert default_storage.open(stored).read() == b"email\r\na@example.com\r\n"
    run(api, activity)
    assert not default_storage.exists(stored)
    activity.refresh_from_db()
    assert activity.source_file == ""  # nothing left for the retention sweep to visit


def test_file_import_refuses_uploads_far_past_the_limit(api: V3Api, lists: list[ContactList]) -> None:
    response = post_file(api, b"email\n" + b"x" * (16 * 1024 * 1024), str(lists[0].list_id))
    assert response.status_code == 400 and "larger than 16 MB" in error_of(response)["error_message"]
    assert not Activity.objects.exists()


def test_file_import_updates_only_what_a_row_gives_and_keeps_consent(api: V3Api, lists: list[ContactList]) -> None:
    kept = Contact.objects.create(
        account=api.account, email_address="kept@example.com", first_name="Old", last_name="Name"
    )
    gone = Contact.objects.create(
        account=api.account, email_address="gone@example.com", first_name="Ghost", deleted_at=timezone.now()
    )
    ContactPhone.objects.create(contact=gone, phone_number="1", kind="home")
    out = Contact.objects.create(
        account=api.account, email_address="out@example.com", permission_to_send="unsubscribed"
    )
    text = csv_text(
        ["email", "first_name", "last_name"], ["KEPT@example.com", "New", ""], ["gone@example.com", "", "Back"]
    )
    text += "out@example.com,Still,Out\n"
    body = run(api, created(post_file(api, text, str(lists[0].list_id))))
    kept.refresh_from_db(), gone.refresh_from_db(), out.refresh_from_db()
    assert (kept.first_name, kept.last_name) == ("New", "Name")
    # A revived contact starts afresh: its old name and phone are gone, the row's values are in.
    assert (gone.deleted_at, gone.first_name, gone.last_name) == (None, "", "Back")
    assert not ContactPhone.objects.filter(contact=gone).exists()
    assert out.permission_to_send == "unsubscribed" and out.first_name == "Still"
    assert body["status"]["cannot_add_to_list_count"] == 1
    assert emails(api.account, memberships__contact_list=lists[0]) == {"kept@example.com", "gone@example.com"}
    assert Contact.objects.filter(account=api.account).count() == 3


def test_file_import_reports_bad_rows_and_imports_the_rest(api: V3Api, lists: list[ContactList]) -> None:
    make_field(api.account, "score", "number")
    text = csv_text(
        ["email", "first_name", "birthday_month", "birthday_day", "cf:score", "sms_number"],
        ["good@example.com", "Good", "", "", "12", ""],
        ["not-an-email", "Bad", "", "", "", ""],
        ["month@example.com", "", "13", "1", "", ""],
        ["score@example.com", "", "", "", "many", ""],
        ["", "Nobody", "", "", "", ""],
        ["sms@example.com", "", "", "", "", "12"],
        ["x" * 51 + "@example.com", "", "", "", "", ""],
        ["good2@example.com", "", "", "", "", "508-123-1235"],
    )
    body = run(api, created(post_file(api, text, str(lists[0].list_id), sms_permission_to_send="not_set")))
    assert body["state"] == "completed"
    assert emails(api.account) == {"good@example.com", "good2@example.com", "x" * 51 + "@example.com"}
    assert body["status"]["correctable_count"] == 3  # email format, birthday, no email or number
    assert body["status"]["error_count"] == 2  # not a number, not a phone number
    errors = body["activity_errors"]
    assert len(errors) == 5
    assert errors[0].startswith("line 3: email 'not-an-email'")
    assert any(e.startswith("line 5: cf:score") for e in errors)
    assert Contact.objects.get(email_address="good2@example.com").sms_address == "5081231235"


def test_file_import_sms_rows_and_consent(api: V3Api, lists: list[ContactList]) -> None:
    text = csv_text(
        ["sms_number", "sms_consent_date", "first_name"],
        ["5081231235", "07-03-2024", "Sam"],
        ["(508) 123-9999", "", "NoDate"],
    )
    body = run(api, created(post_file(api, text, str(lists[0].list_id), sms_permission_to_send="explicit")))
    assert body["state"] == "completed", body
    sam = Contact.objects.get(account=api.account, sms_address="5081231235")
    assert (sam.email_address, sam.sms_permission, sam.first_name) == ("", "explicit", "Sam")
    assert sam.sms_consent_date == datetime(2024, 7, 3, tzinfo=UTC)
    assert Contact.objects.get(sms_address="5081239999").sms_permission == "not_set"
    # The same numbers again update the same contacts.
    run(
        api,
        created(
            post_file(
                api,
                csv_text(["sms_number", "first_name"], ["508-123-1235", "Samuel"]),
                str(lists[0].list_id),
                sms_permission_to_send="not_set",
            )
        ),
    )
    assert Contact.objects.filter(account=api.account).count() == 2
    assert Contact.objects.get(sms_address="5081231235").first_name == "Samuel"
    # One contact named by email in one row and by number in another: both rows' values land on it.
    make_field(api.account, "color")
    text = csv_text(["email", "sms_number", "cf:color", "last_name"], ["s@example.com", "5081231235", "", ""])
    text += ",508-123-1235,green,Smith\n"
    run(api, created(post_file(api, text, str(lists[1].list_id), sms_permission_to_send="not_set")))
    sam = Contact.objects.get(sms_address="5081231235")
    assert (sam.email_address, sam.last_name) == ("s@example.com", "Smith")
    assert CustomFieldValue.objects.get(contact=sam).value == "green"
    assert ListMembership.objects.filter(contact=sam, contact_list=lists[1]).exists()


def test_file_import_repeated_rows_make_one_contact(api: V3Api, lists: list[ContactList]) -> None:
    text = csv_text(["email", "first_name", "last_name"], ["a@example.com", "A", "One"], ["A@example.com", "", "Two"])
    body = run(api, created(post_file(api, text, str(lists[0].list_id))))
    contact = Contact.objects.get(account=api.account)
    assert (contact.first_name, contact.last_name) == ("A", "Two")
    assert body["status"]["person_count"] == 2


def test_file_import_cuts_files_past_the_line_and_size_limits(
    api: V3Api, lists: list[ContactList], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_LINES", 4)
    text = csv_text(["email"], *[[f"p{i}@example.com"] for i in range(6)])
    body = run(api, created(post_file(api, text, str(lists[0].list_id))))
    assert emails(api.account) == {"p0@example.com", "p1@example.com", "p2@example.com"}
    assert body["status"]["items_total_count"] == 4 and body["status"]["person_count"] == 3
    assert body["activity_errors"] == ["file: 3 rows past line 4 were not imported (a file holds at most 4 lines)"]

    monkeypatch.setattr(imports, "MAX_LINES", 40_000)
    monkeypatch.setattr(imports, "MAX_BYTES", 50)
    text = csv_text(["email"], *[[f"q{i}@example.com"] for i in range(6)])  # 16 bytes a line, 7 for the header
    body = run(api, created(post_file(api, text, str(lists[0].list_id))))
    assert emails(api.account, email_address__startswith="q") == {"q0@example.com", "q1@example.com"}
    assert body["activity_errors"][0].startswith("file: larger than")


@pytest.mark.parametrize(
    ("content", "fields", "message"),
    [
        ("first_name,last_name\nA,B\n", {}, "an email or sms_number column is required"),
        ("email,nickname\na@example.com,x\n", {}, "unknown columns: nickname"),
        ("email,cf:nothing\na@example.com,x\n", {}, "unknown columns: cf:nothing"),
        ("email,Email\na@example.com,x\n", {}, "columns repeated: email"),
        ("", {}, "the file is empty"),
        (b"email\n" + "caf\xe9@example.com\n".encode("latin-1"), {}, "not UTF-8 text"),
        (b"email\n\x00\x01", {}, "not a text file"),
        ("email,sms_number\na@example.com,5081231234\n", {}, "sms_permission_to_send: is required"),
        ("sms_number\n5081231234\n", {"sms_permission_to_send": "explicit"}, "sms_consent_date column is required"),
        ("email\na@example.com\n", {"sms_permission_to_send": "sometimes"}, "sms_permission_to_send: 'sometimes'"),
        ("email," + ",".join(f"cf:f{i}" for i in range(26)) + "\n", {}, "at most 25 custom fields"),
    ],
)
def test_file_import_refuses_bad_files_with_a_400(
    api: V3Api, lists: list[ContactList], content: str | bytes, fields: dict[str, str], message: str
) -> None:
    for i in range(26):
        make_field(api.account, f"f{i}")
    response = post_file(api, content, str(lists[0].list_id), **fields)
    assert response.status_code == 400, response.content
    assert message in error_of(response)["error_message"]
    assert not Activity.objects.exists()


def test_file_import_refuses_bad_requests(api: V3Api, other_api: V3Api, lists: list[ContactList]) -> None:
    good = "email\na@example.com\n"
    assert post_file(api, good, None).status_code == 400
    assert post_file(api, good, "not-a-uuid").status_code == 400
    foreign = make_list(other_api.account, "Theirs")
    response = post_file(api, good, str(foreign.list_id))
    assert response.status_code == 404 and str(foreign.list_id) in error_of(response)["error_message"]
    many = [str(make_list(api.account, f"L{i}").list_id) for i in range(51)]
    assert post_file(api, good, many).status_code == 400
    response = post_file(api, good, str(lists[0].list_id), name="contacts.xlsx")
    assert response.status_code == 415
    response = api.post("/activities/contacts_file_import", {"file": "x"})
    assert response.status_code == 415
    response = api.client.post("/v3/activities/contacts_file_import", data={"list_ids": str(lists[0].list_id)})
    assert response.status_code == 400 and "file: a CSV file is required" in error_of(response)["error_message"]
    # Repeated list_ids fields are as good as one comma-separated value.
    assert post_file(api, good, [str(lst.list_id) for lst in lists]).status_code == 201


# --- contacts_json_import --------------------------------------------------------------------


def test_json_import_imports_and_reports_each_bad_contact(
    api: V3Api, other_api: V3Api, lists: list[ContactList]
) -> None:
    make_field(api.account, "color")
    foreign = make_list(other_api.account, "Theirs")
    body = {
        "import_data": [
            {"email": "j1@example.com", "first_name": "J", "birthday_month": 2, "birthday_day": 3, "cf:color": "red"},
            {"email": "j2@example.com", "home_phone": "555-1", "home country": "Canada", "home_city": "Ottawa"},
            {"email": "bad"},
            {"email": "j3@example.com", "birthday_month": "2", "birthday_day": 3},
            {"email": "j4@example.com", "first_name": "x" * 51},
            {"sms_number": "5081231235", "sms_consent_date": "2024-07-03"},
        ],
        "list_ids": [str(lists[0].list_id), str(foreign.list_id)],
        "sms_permission_to_send": "explicit",
    }
    response = api.post("/activities/contacts_json_import", body)
    activity = created(response)
    assert response.json()["status"]["items_total_count"] == 6
    assert response.json()["activity_errors"] == [
        f"list_ids: list {foreign.list_id} was not found in this account and was skipped."
    ]
    result = run(api, activity)
    assert result["state"] == "completed"
    assert emails(api.account) == {"j1@example.com", "j2@example.com", ""}
    assert result["status"]["correctable_count"] == 1 and result["status"]["error_count"] == 2
    assert any(e.startswith("import_data[3]: birthday_month must be an integer") for e in result["activity_errors"])
    assert any(e.startswith("import_data[4]: first_name is longer than 50") for e in result["activity_errors"])
    j2 = Contact.objects.get(email_address="j2@example.com")
    address = ContactAddress.objects.get(contact=j2)
    assert (address.kind, address.city, address.country) == ("home", "Ottawa", "Canada")
    assert ContactPhone.objects.get(contact=j2).kind == "home"
    sms = Contact.objects.get(account=api.account, sms_address="5081231235")
    assert sms.sms_permission == "explicit"
    assert CustomFieldValue.objects.get(contact__email_address="j1@example.com").value == "red"
    assert ListMembership.objects.filter(contact_list=lists[0]).count() == 3


@pytest.mark.parametrize(
    ("raw", "content_type", "message"),
    [
        ("{not json", "application/json", "not valid JSON"),
        ("[]", "application/json", "must be a JSON object"),
        ('{"import_data": [], "list_ids": []}', "application/json", "import_data: must be a non-empty array"),
        ('{"import_data": [1], "list_ids": []}', "application/json", "every item must be an object"),
        ('{"import_data": [{"email": "a@b.co"}]}', "application/json", "list_ids: must be an array"),
        ('{"import_data": [{"email": "a@b.co"}], "list_ids": []}', "application/json", "list_ids: at least one"),
        ('{"import_data": [{"mail": "a@b.co"}], "list_ids": ["LIST"]}', "application/json", "unknown columns: mail"),
        ('{"import_data": [{"email": "a@b.co"}], "list_ids": ["LIST"]}', "text/plain", "expected application/json"),
    ],
)
def test_json_import_refuses_bad_bodies(
    api: V3Api, lists: list[ContactList], raw: str, content_type: str, message: str
) -> None:
    response = api.post(
        "/activities/contacts_json_import", raw=raw.replace("LIST", str(lists[0].list_id)), content_type=content_type
    )
    assert response.status_code == 400, response.content
    assert message in error_of(response)["error_message"]


def test_json_import_bodies_past_4_mb_are_refused(api: V3Api, lists: list[ContactList]) -> None:
    contacts = [{"email": f"person{i:06d}@example.com", "first_name": "x" * 40} for i in range(60_000)]
    raw = json.dumps({"import_data": contacts, "list_ids": [str(lists[0].list_id)]})
    assert len(raw) > 4 * 1024 * 1024
    response = api.post("/activities/contacts_json_import", raw=raw)
    assert response.status_code == 400 and "larger than 4 MB" in error_of(response)["error_message"]
    # Just under the limit is fine, and more than Django's 2.5 MB form limit.
    raw = json.dumps({"import_data": contacts[:40_000], "list_ids": [str(lists[0].list_id)]})
    assert 2.5 * 1024 * 1024 < len(raw) < 4 * 1024 * 1024
    assert created(api.post("/activities/contacts_json_import", raw=raw))


# --- contact_exports and the file ------------------------------------------------------------


def export(api: V3Api, body: dict[str, Any]) -> list[dict[str, str]]:
    """Create an export, run it, download its file and return the CSV rows."""
    response = api.post("/activities/contact_exports", body)
    activity = created(response)
    assert "source_file_name" not in response.json()
    result = run(api, activity)
    assert result["state"] == "completed", result
    href = result["_links"]["results"]["href"]
    assert href == f"/v3/contact_exports/{activity.activity_id}"
    text = download(api, href.removeprefix("/v3"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert result["status"] == {"items_total_count": len(rows), "items_completed_count": len(rows)}
    return rows


def test_export_writes_every_field_by_default(api: V3Api, lists: list[ContactList]) -> None:
    make_field(api.account, "color")
    ann, bob = make_contacts(api.account, 2, first_name="Pat")
    ann.first_name, ann.birthday_month, ann.birthday_day = "=cmd()", 1, 2
    ann.save()
    join([ann], *lists[:2])
    tag([ann], Tag.objects.create(account=api.account, name="vip"))
    ContactPhone.objects.create(contact=ann, phone_number="+1 555 0100", kind="home")
    ContactAddress.objects.create(contact=ann, kind="work", street="9 Work Rd", city="Office")
    CustomFieldValue.objects.create(contact=ann, custom_field=CustomField.objects.get(name="color"), value="teal")
    Contact.objects.create(account=api.account, email_address="deleted@example.com", deleted_at=timezone.now())
    rows = export(api, {})
    assert [r["email_address"] for r in rows] == ["c0@example.com", "c1@example.com"]
    first = rows[0]
    assert first["first_name"] == "'=cmd()"  # never a formula in a spreadsheet
    assert (first["phone_number"], first["street"], first["city"]) == ("+1 555 0100", "9 Work Rd", "Office")
    assert first["email_lists"] == "List 0; List 1" and first["tags"] == "vip" and first["cf:color"] == "teal"
    assert (first["birthday_month"], first["birthday_day"], first["contact_id"]) == ("1", "2", str(ann.contact_id))
    assert rows[1]["cf:color"] == "" and rows[1]["email_lists"] == ""


def test_export_filters_and_fields(api: V3Api, lists: list[ContactList]) -> None:
    on_list = make_contacts(api.account, 3, "l")
    join(on_list, lists[0])
    unsubscribed = make_contacts(api.account, 2, "u", permission_to_send="unsubscribed")
    join(unsubscribed[:1], lists[0])
    tagged = make_contacts(api.account, 1, "t")
    vip = Tag.objects.create(account=api.account, name="vip")
    tag(tagged, vip)
    fields = {"fields": ["email_address", "first_name"]}
    rows = export(
        api, {**fields, "list_ids": [str(lists[0].list_id)], "exclude": {"contact_ids": [str(on_list[0].contact_id)]}}
    )
    assert [r["email_address"] for r in rows] == ["l1@example.com", "l2@example.com", "u0@example.com"]
    assert list(rows[0]) == ["email_address", "first_name"]
    rows = export(api, {**fields, "list_ids": [str(lists[0].list_id)], "status": "unsubscribed"})
    assert [r["email_address"] for r in rows] == ["u0@example.com"]
    rows = export(api, {**fields, "tag_ids": [str(vip.tag_id)]})
    assert [r["email_address"] for r in rows] == ["t0@example.com"]
    rows = export(api, {**fields, "contact_ids": [str(tagged[0].contact_id), str(on_list[2].contact_id)]})
    assert [r["email_address"] for r in rows] == ["l2@example.com", "t0@example.com"]
    segment = email_segment(api.account, "l-people", "starts-with", "l")
    rows = export(api, {**fields, "segment_id": segment.pk})
    assert len(rows) == 3
    on_list[1].permission_to_send, on_list[1].opt_in_date = "explicit", timezone.now()
    on_list[1].save()
    rows = export(api, {**fields, "new_subscriber": True})
    assert [r["email_address"] for r in rows] == ["l1@example.com"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"list_ids": ["LIST"], "tag_ids": ["LIST"]}, 400, "list_ids with tag_ids"),
        ({"contact_ids": ["LIST"], "exclude": {"contact_ids": ["LIST"]}}, 400, "contact_ids with exclude"),
        ({"status": "sleepy"}, 400, "status: 'sleepy'"),
        ({"fields": ["email_address", "shoe_size"]}, 400, "unknown fields: shoe_size"),
        ({"fields": ["email_optin_date"]}, 400, "need email_address"),
        ({"list_ids": ["FOREIGN"]}, 404, "no such list"),
        ({"segment_id": 99999999}, 404, "no segment"),
        ({"contact_ids": ["not-a-uuid"]}, 400, "contact_ids"),
    ],
)
def test_export_refuses_bad_requests(
    api: V3Api, other_api: V3Api, lists: list[ContactList], body: dict[str, Any], status: int, message: str
) -> None:
    foreign = make_list(other_api.account, "Theirs")
    raw = json.dumps(body).replace("LIST", str(lists[0].list_id)).replace("FOREIGN", str(foreign.list_id))
    response = api.post("/activities/contact_exports", raw=raw)
    assert response.status_code == status, response.content
    assert message in error_of(response)["error_message"]


def test_export_files_belong_to_their_account_and_exist_once_done(api: V3Api, other_api: V3Api) -> None:
    activity = created(api.post("/activities/contact_exports", {}))
    assert api.get(f"/contact_exports/{activity.activity_id}").status_code == 404  # not done yet
    run(api, activity)
    assert download(api, f"/contact_exports/{activity.activity_id}").startswith("contact_id,email_address")
    assert other_api.get(f"/contact_exports/{activity.activity_id}").status_code == 404
    assert api.get("/contact_exports/not-a-uuid").status_code == 400  # getContactsExport declares 400
    other = created(
        api.post("/activities/contact_delete", {"contact_ids": [str(make_contacts(api.account, 1)[0].contact_id)]})
    )
    assert api.get(f"/contact_exports/{other.activity_id}").status_code == 404


# --- contact_delete --------------------------------------------------------------------------


def test_contact_delete_by_ids_skips_ids_of_other_accounts(api: V3Api, other_api: V3Api) -> None:
    mine = make_contacts(api.account, 3)
    theirs = make_contacts(other_api.account, 1, "theirs")[0]
    response = api.post("/activities/contact_delete", {"contact_ids": [str(c.contact_id) for c in [*mine[:2], theirs]]})
    activity = created(response)
    assert response.json()["activity_errors"] == [
        f"contact_ids: contact {theirs.contact_id} was not found in this account and was skipped."
    ]
    body = run(api, activity)
    assert body["status"] == {"items_total_count": 2, "items_completed_count": 2}
    assert emails(api.account, deleted_at__isnull=True) == {"c2@example.com"}
    theirs.refresh_from_db()
    assert theirs.deleted_at is None


def test_contact_delete_by_lists(api: V3Api, lists: list[ContactList], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("apps.v3.bulk.deletes.CONTACTS_PER_BATCH", 2)
    members = make_contacts(api.account, 5)
    join(members[:4], lists[0])
    join(members[3:], lists[1])
    body = run(
        api,
        created(api.post("/activities/contact_delete", {"list_ids": [str(lists[0].list_id), str(lists[1].list_id)]})),
    )
    assert body["status"] == {"items_total_count": 5, "items_completed_count": 5, "list_count": 2}
    assert not Contact.objects.filter(account=api.account, deleted_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "give either contact_ids or list_ids"),
        ({"contact_ids": ["ID"], "list_ids": ["ID"]}, "give either contact_ids or list_ids"),
        ({"contact_ids": [fake_id(i) for i in range(501)]}, "contact_ids: "),
        ({"contact_ids": "ID"}, "contact_ids"),
    ],
)
def test_contact_delete_refuses_bad_bodies(api: V3Api, body: dict[str, Any], message: str) -> None:
    raw = json.dumps(body).replace("ID", "00000000-0000-4000-8000-000000000000")
    response = api.post("/activities/contact_delete", raw=raw)
    assert response.status_code == 400 and message in error_of(response)["error_message"]


# --- list memberships ------------------------------------------------------------------------


def test_add_list_memberships_from_each_source(api: V3Api, other_api: V3Api, lists: list[ContactList]) -> None:
    people = make_contacts(api.account, 4)
    out = make_contacts(api.account, 1, "out", permission_to_send="unsubscribed")[0]
    join(people[:2] + [out], lists[0])
    target = str(lists[1].list_id)

    def add(source: dict[str, Any], **extra: Any) -> dict[str, Any]:
        ListMembership.objects.filter(contact_list=lists[1]).delete()
        return run(
            api,
            created(api.post("/activities/add_list_memberships", {"list_ids": [target], "source": source, **extra})),
        )

    body = add({"list_ids": [str(lists[0].list_id)]}, exclude={"contact_ids": [str(people[0].contact_id)]})
    assert emails(api.account, memberships__contact_list=lists[1]) == {"c1@example.com"}  # never the unsubscribed
    assert body["status"] == {"items_total_count": 1, "items_completed_count": 1, "list_count": 1}
    add({"contact_ids": [str(people[3].contact_id)]})
    assert emails(api.account, memberships__contact_list=lists[1]) == {"c3@example.com"}
    add({"all_active_contacts": True})
    assert len(emails(api.account, memberships__contact_list=lists[1])) == 4
    vip = Tag.objects.create(account=api.account, name="vip")
    tag(people[2:3], vip)
    add({"tag_ids": [str(vip.tag_id)]})
    assert emails(api.account, memberships__contact_list=lists[1]) == {"c2@example.com"}
    segment = email_segment(api.account, "c3", "eq", "c3@example.com")
    add({"segment_id": segment.pk})
    assert emails(api.account, memberships__contact_list=lists[1]) == {"c3@example.com"}
    body = add({"engagement_level": "high"})
    assert body["status"]["items_total_count"] == 0
    # add_list_memberships declares no 404: another account's list is skipped and reported.
    foreign = make_list(other_api.account, "Theirs")
    body = add({"contact_ids": [str(people[0].contact_id)]}, list_ids=[target, str(foreign.list_id)])
    assert body["activity_errors"] == [
        f"list_ids: list {foreign.list_id} was not found in this account and was skipped."
    ]
    assert not ListMembership.objects.filter(contact_list=foreign).exists()


def test_add_list_memberships_keeps_contacts_within_50_lists(api: V3Api) -> None:
    person = make_contacts(api.account, 2)
    many = [make_list(api.account, f"M{i}") for i in range(51)]
    join(person[:1], *many[:49])
    body = {"list_ids": [str(many[49].list_id), str(many[50].list_id)], "source": {"all_active_contacts": True}}
    result = run(api, created(api.post("/activities/add_list_memberships", body)))
    assert result["activity_errors"] == [f"contact {person[0].contact_id}: not added, a contact has at most 50 lists"]
    assert ListMembership.objects.filter(contact=person[0]).count() == 49
    assert ListMembership.objects.filter(contact=person[1]).count() == 2


def test_a_list_hidden_while_an_add_runs_gets_no_memberships_afterwards(
    api: V3Api, lists: list[ContactList], monkeypatch: pytest.MonkeyPatch
) -> None:
    people = make_contacts(api.account, 3)
    body = {"list_ids": [str(lists[0].list_id), str(lists[1].list_id)], "source": {"all_active_contacts": True}}
    activity = created(api.post("/activities/add_list_memberships", body))
    read_targets = memberships._live_targets

    def then_delete_a_list(job: Any, links: Any) -> list[int]:
        # The DELETE /contact_lists/{id} lands after the task read its targets, before any batch.
        targets = read_targets(job, links)
        assert api.delete(f"/contact_lists/{lists[1].list_id}").status_code == 202
        return targets

    monkeypatch.setattr(memberships, "_live_targets", then_delete_a_list)
    assert run(api, activity)["state"] == "completed"
    assert ListMembership.objects.filter(contact_list=lists[0]).count() == len(people)
    assert not ListMembership.objects.filter(contact_list=lists[1]).exists()


def test_remove_list_memberships(api: V3Api, other_api: V3Api, lists: list[ContactList]) -> None:
    people = make_contacts(api.account, 3)
    join(people, lists[0], lists[1])
    # The schema's maxItems: 0 on list_ids is a spec defect (SPEC-NOTES): two lists are fine.
    body = {
        "list_ids": [str(lists[0].list_id), str(lists[1].list_id)],
        "source": {"contact_ids": [str(people[0].contact_id)]},
    }
    result = run(api, created(api.post("/activities/remove_list_memberships", body)))
    assert result["status"] == {"items_total_count": 1, "items_completed_count": 1, "list_count": 2}
    assert not ListMembership.objects.filter(contact=people[0]).exists()
    body = {
        "list_ids": [str(lists[1].list_id)],
        "source": {"list_ids": [str(lists[0].list_id)]},
        "exclude": {"contact_ids": [str(people[1].contact_id)]},
    }
    run(api, created(api.post("/activities/remove_list_memberships", body)))
    assert emails(api.account, memberships__contact_list=lists[1]) == {"c1@example.com"}
    foreign = make_list(other_api.account, "Theirs")
    body = {"list_ids": [str(foreign.list_id)], "source": {"all_active_contacts": True}}
    assert api.post("/activities/remove_list_memberships", body).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"list_ids": ["L"], "source": {}}, "give exactly one of"),
        (
            {"list_ids": ["L"], "source": {"all_active_contacts": True, "contact_ids": ["C"]}},
            "give exactly one of",
        ),
        (
            {"list_ids": ["L"], "source": {"contact_ids": ["C"]}, "exclude": {"contact_ids": ["C"]}},
            "exclude: applies only",
        ),
        ({"list_ids": [], "source": {"all_active_contacts": True}}, "list_ids: at least one"),
        ({"list_ids": ["L"], "source": {"engagement_level": "wild"}}, "engagement_level: 'wild'"),
        ({"list_ids": ["L"], "source": {"all_active_contacts": True, "planet": "mars"}}, "planet is not a source"),
        ({"source": {"all_active_contacts": True}}, "list_ids"),
    ],
)
def test_list_membership_activities_refuse_bad_bodies(
    api: V3Api, lists: list[ContactList], body: dict[str, Any], message: str
) -> None:
    contact = make_contacts(api.account, 1)[0]
    raw = json.dumps(body).replace('"L"', f'"{lists[0].list_id}"').replace('"C"', f'"{contact.contact_id}"')
    for operation in ("add_list_memberships", "remove_list_memberships"):
        response = api.post(f"/activities/{operation}", raw=raw)
        assert response.status_code == 400, (operation, response.content)
        assert message in error_of(response)["error_message"]


# --- list_delete -----------------------------------------------------------------------------


def test_list_delete_marks_lists_deleted_and_drops_their_memberships(
    api: V3Api, other_api: V3Api, lists: list[ContactList]
) -> None:
    join(make_contacts(api.account, 3), lists[0], lists[2])
    foreign = make_list(other_api.account, "Theirs")
    response = api.post("/activities/list_delete", {"list_ids": [str(lists[0].list_id), str(foreign.list_id)]})
    activity = created(response)
    assert response.json()["status"] == {"list_count": 1}
    body = run(api, activity)
    assert body["status"] == {"list_count": 1}
    assert body["activity_errors"] == [
        f"list_ids: list {foreign.list_id} was not found in this account and was skipped."
    ]
    lists[0].refresh_from_db(), foreign.refresh_from_db()
    assert lists[0].deleted_at is not None and foreign.deleted_at is None
    assert not ListMembership.objects.filter(contact_list=lists[0]).exists()
    assert ListMembership.objects.filter(contact_list=lists[2]).count() == 3
    many = {"list_ids": [fake_id(i) for i in range(101)]}
    assert api.post("/activities/list_delete", many).status_code == 400
    assert api.post("/activities/list_delete", {}).status_code == 400


# --- taggings and tags -----------------------------------------------------------------------


def test_a_tag_being_deleted_no_longer_counts_toward_a_contacts_50(api: V3Api) -> None:
    [person] = make_contacts(api.account, 1)
    many = [Tag.objects.create(account=api.account, name=f"T{i}") for i in range(51)]
    tag([person], *many[:50])
    body = {"tag_ids": [str(many[50].tag_id)], "source": {"contact_ids": [str(person.contact_id)]}}
    result = run(api, created(api.post("/activities/contacts_taggings_add", body)))
    assert result["activity_errors"] == [f"contact {person.contact_id}: not added, a contact has at most 50 tags"]
    # The DELETE hides the tag at once; its taggings go later, in the background.
    assert api.delete(f"/contact_tags/{many[0].tag_id}").status_code == 202
    assert Tagging.objects.filter(tag=many[0]).exists()
    result = run(api, created(api.post("/activities/contacts_taggings_add", body)))
    assert result["activity_errors"] == []
    assert Tagging.objects.filter(contact=person, tag=many[50]).exists()


def test_taggings_add_and_remove(api: V3Api, other_api: V3Api, lists: list[ContactList]) -> None:
    people = make_contacts(api.account, 3)
    join(people[:2], lists[0])
    vip, new = Tag.objects.create(account=api.account, name="vip"), Tag.objects.create(account=api.account, name="new")
    body = {"tag_ids": [str(vip.tag_id)], "source": {"list_ids": [str(lists[0].list_id)]}}
    result = run(api, created(api.post("/activities/contacts_taggings_add", body)))
    assert result["status"] == {"items_total_count": 2, "items_completed_count": 2}
    assert emails(api.account, taggings__tag=vip) == {"c0@example.com", "c1@example.com"}
    people[2].permission_to_send, people[2].opt_in_date = "explicit", timezone.now()
    people[2].save()
    run(
        api,
        created(
            api.post(
                "/activities/contacts_taggings_add", {"tag_ids": [str(new.tag_id)], "source": {"new_subscriber": True}}
            )
        ),
    )
    assert emails(api.account, taggings__tag=new) == {"c2@example.com"}
    body = {
        "tag_ids": [str(vip.tag_id)],
        "source": {"tag_ids": [str(vip.tag_id)]},
        "exclude": {"contact_ids": [str(people[0].contact_id)]},
    }
    assert api.post("/activities/contacts_taggings_remove", body).status_code == 400  # exclude needs lists or all
    body = {
        "tag_ids": [str(vip.tag_id)],
        "source": {"all_active_contacts": True},
        "exclude": {"contact_ids": [str(people[0].contact_id)]},
    }
    run(api, created(api.post("/activities/contacts_taggings_remove", body)))
    assert emails(api.account, taggings__tag=vip) == {"c0@example.com"}
    foreign = Tag.objects.create(account=other_api.account, name="theirs")
    body = {"tag_ids": [str(foreign.tag_id)], "source": {"all_active_contacts": True}}
    for operation in ("contacts_taggings_add", "contacts_taggings_remove"):
        assert api.post(f"/activities/{operation}", body).status_code == 404


def test_tags_delete(api: V3Api, other_api: V3Api) -> None:
    people = make_contacts(api.account, 3)
    vip, keep = (
        Tag.objects.create(account=api.account, name="vip"),
        Tag.objects.create(account=api.account, name="keep"),
    )
    tag(people, vip, keep)
    foreign = Tag.objects.create(account=other_api.account, name="theirs")
    response = api.post("/activities/contacts_tags_delete", {"tag_ids": [str(vip.tag_id), str(foreign.tag_id)]})
    body = run(api, created(response))
    assert body["status"] == {"items_total_count": 1, "items_completed_count": 1}
    assert len(body["activity_errors"]) == 1
    assert set(Tag.objects.values_list("name", flat=True)) == {"keep", "theirs"}
    assert Tagging.objects.count() == 3


def test_custom_fields_delete(api: V3Api, other_api: V3Api) -> None:
    person = make_contacts(api.account, 1)[0]
    color, size = make_field(api.account, "color"), make_field(api.account, "size", "single_select", ("S",))
    CustomFieldValue.objects.create(contact=person, custom_field=color, value="red")
    # maxItems: 0 on custom_field_ids is a spec defect; the stated limit is 100.
    body = run(
        api,
        created(
            api.post(
                "/activities/custom_fields_delete",
                {"custom_field_ids": [str(color.custom_field_id), str(size.custom_field_id)]},
            )
        ),
    )
    assert body["state"] == "completed" and body["status"] == {"items_total_count": 2, "items_completed_count": 2}
    assert not CustomField.objects.filter(account=api.account).exists() and not CustomFieldValue.objects.exists()
    theirs = make_field(other_api.account, "theirs")
    assert (
        api.post("/activities/custom_fields_delete", {"custom_field_ids": [str(theirs.custom_field_id)]}).status_code
        == 404
    )
    many = {"custom_field_ids": [fake_id(i) for i in range(101)]}
    assert api.post("/activities/custom_fields_delete", many).status_code == 400


# --- reading activities ----------------------------------------------------------------------


def test_get_activities_filters_pages_and_stays_in_the_account(api: V3Api, other_api: V3Api) -> None:
    made = [created(api.post("/activities/contact_exports", {})) for _ in range(5)]
    run(api, made[0])
    Activity.objects.filter(pk=made[1].pk).update(state=ActivityState.PROCESSING)
    Activity.objects.filter(pk=made[2].pk).update(created_at=timezone.now() - timedelta(days=11))
    created(other_api.post("/activities/contact_exports", {}))
    listed = api.get("/activities").json()["activities"]
    assert [a["activity_id"] for a in listed] == [str(made[i].activity_id) for i in (4, 3, 1, 0)]
    assert listed[-1]["state"] == "completed" and listed[-1]["_links"]["results"]
    processing = api.get("/activities", params={"state": "processing"}).json()["activities"]
    assert {a["activity_id"] for a in processing} == {str(made[i].activity_id) for i in (4, 3, 1)}
    assert [a["state"] for a in api.get("/activities", params={"state": "completed"}).json()["activities"]] == [
        "completed"
    ]
    page = api.get("/activities", params={"limit": 3}).json()
    assert len(page["activities"]) == 3
    rest = api.get(page["_links"]["next"]["href"].removeprefix("/v3")).json()
    assert [a["activity_id"] for a in rest["activities"]] == [str(made[0].activity_id)] and rest["_links"] == {}
    assert api.get("/activities", params={"state": "asleep"}).status_code == 400
    assert api.get("/activities", params={"limit": 501}).status_code == 400
    assert other_api.get(f"/activities/{made[0].activity_id}").status_code == 404
    assert api.get("/activities/nope").status_code == 400  # malformed: getActivity declares 400


def test_more_than_1000_queued_activities_is_a_429(api: V3Api) -> None:
    Activity.objects.bulk_create(
        [Activity(account=api.account, kind=ActivityKind.CONTACT_EXPORT) for _ in range(999)]
        + [
            Activity(account=api.account, kind=ActivityKind.CONTACT_EXPORT, state=ActivityState.COMPLETED)
            for _ in range(5)
        ]
    )
    contact = make_contacts(api.account, 1)[0]
    created(api.post("/activities/contact_delete", {"contact_ids": [str(contact.contact_id)]}))  # the 1,000th
    for path, body in (("contact_delete", {"contact_ids": [str(contact.contact_id)]}), ("contact_exports", {})):
        response = api.post(f"/activities/{path}", body)
        assert response.status_code == 429
        assert error_of(response)["error_key"] == "throttled" and "1000" in error_of(response)["error_message"]
    assert post_file(api, "email\na@example.com\n", str(make_list(api.account, "L").list_id)).status_code == 429
    assert api.post("/activities/contacts_json_import", {"import_data": [{}], "list_ids": []}).status_code == 429
    Activity.objects.filter(account=api.account, state=ActivityState.INITIALIZED).update(state=ActivityState.PROCESSING)
    assert api.post("/activities/contact_exports", {}).status_code == 429  # processing counts as queued
    Activity.objects.filter(account=api.account).update(state=ActivityState.FAILED)
    created(api.post("/activities/contact_exports", {}))


def test_scope_and_privilege_are_required(make_api: Callable[..., V3Api]) -> None:
    reader = make_api(scopes=["account_read"])
    assert reader.post("/activities/contact_exports", {}).status_code == 403
    assert reader.get("/activities").status_code == 403


# --- the runner: leases, checkpoints, recovery -----------------------------------------------


def test_a_failed_batch_rolls_back_and_the_retry_resumes_from_the_checkpoint(
    api: V3Api, lists: list[ContactList], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    text = csv_text(["email"], *[[f"r{i}@example.com"] for i in range(5)], ["broken"])
    activity = created(post_file(api, text, str(lists[0].list_id)))
    real_write = imports.BatchWriter.write
    calls = []

    def crash_on_second(self: imports.BatchWriter, rows: list[Any]) -> None:
        calls.append(len(rows))
        real_write(self, rows)
        if len(calls) == 2:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(imports.BatchWriter, "write", crash_on_second)
    with pytest.raises(RuntimeError):
        activities.process(activity.pk)
    activity.refresh_from_db()
    # The first batch is in; the second rolled back with its checkpoint; the lease is free again.
    assert (activity.checkpoint, activity.state, activity.lease_owner) == (2, ActivityState.PROCESSING, "")
    assert emails(api.account) == {"r0@example.com", "r1@example.com"}
    body = run(api, activity)
    assert body["state"] == "completed"
    assert len(emails(api.account)) == 5 and ListMembership.objects.count() == 5
    assert body["status"]["correctable_count"] == 1 and len(body["activity_errors"]) == 1
    assert Activity.objects.get(pk=activity.pk).attempts == 2


def test_a_live_lease_is_respected_and_a_dead_or_stale_one_taken_over(api: V3Api) -> None:
    activity = created(api.post("/activities/contact_exports", {}))
    alive = runner.new_token()  # this very process: alive
    Activity.objects.filter(pk=activity.pk).update(lease_owner=alive, heartbeat_at=timezone.now(), state="processing")
    activities.process(activity.pk)
    assert Activity.objects.get(pk=activity.pk).state == ActivityState.PROCESSING
    # A process of this host that has exited: taken over at once.
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = f"{alive.split(':')[0]}:{gone.pid}:abc"
    Activity.objects.filter(pk=activity.pk).update(lease_owner=dead)
    activities.process(activity.pk)
    assert Activity.objects.get(pk=activity.pk).state == ActivityState.COMPLETED
    # Another host's worker: only a stale heartbeat frees it.
    second = created(api.post("/activities/contact_exports", {}))
    Activity.objects.filter(pk=second.pk).update(
        lease_owner="elsewhere:1:x", heartbeat_at=timezone.now(), state="processing"
    )
    activities.process(second.pk)
    assert Activity.objects.get(pk=second.pk).state == ActivityState.PROCESSING
    Activity.objects.filter(pk=second.pk).update(
        heartbeat_at=timezone.now() - runner.STALE_AFTER - timedelta(seconds=1)
    )
    activities.process(second.pk)
    assert Activity.objects.get(pk=second.pk).state == ActivityState.COMPLETED
    activities.process(second.pk)  # a duplicate delivery of a finished activity does nothing
    assert Activity.objects.get(pk=second.pk).attempts == 1


def test_a_lost_lease_rolls_the_batch_back(
    api: V3Api, lists: list[ContactList], monkeypatch: pytest.MonkeyPatch
) -> None:
    activity = created(post_file(api, csv_text(["email"], ["a@example.com"]), str(lists[0].list_id)))
    real_fields = imports.account_custom_fields

    def stolen(account_id: int) -> Any:
        # Another worker takes the lease after this one started and before its first batch commits.
        Activity.objects.filter(pk=activity.pk).update(lease_owner="thief:1:x", heartbeat_at=timezone.now())
        return real_fields(account_id)

    monkeypatch.setattr(imports, "account_custom_fields", stolen)
    activities.process(activity.pk)
    activity.refresh_from_db()
    assert activity.lease_owner == "thief:1:x" and activity.checkpoint == 0 and activity.state == "processing"
    assert not Contact.objects.filter(account=api.account).exists()


def test_the_sweep_requeues_what_no_live_worker_holds(api: V3Api, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[int] = []
    monkeypatch.setattr(runner, "enqueue", sent.append)
    now = timezone.now()
    fresh = created(api.post("/activities/contact_exports", {}))
    forgotten = created(api.post("/activities/contact_exports", {}))
    Activity.objects.filter(pk=forgotten.pk).update(enqueued_at=now - runner.REQUEUE_AFTER - timedelta(seconds=1))
    stale = created(api.post("/activities/contact_exports", {}))
    Activity.objects.filter(pk=stale.pk).update(
        state="processing", lease_owner="elsewhere:1:x", heartbeat_at=now - runner.STALE_AFTER - timedelta(seconds=1)
    )
    busy = created(api.post("/activities/contact_exports", {}))
    Activity.objects.filter(pk=busy.pk).update(state="processing", lease_owner="elsewhere:2:x", heartbeat_at=now)
    done = created(api.post("/activities/contact_exports", {}))
    Activity.objects.filter(pk=done.pk).update(state="completed", enqueued_at=None)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    orphan = created(api.post("/activities/contact_exports", {}))
    dead_owner = f"{runner.new_token().split(':')[0]}:{gone.pid}:x"  # this host, a reaped process
    Activity.objects.filter(pk=orphan.pk).update(state="processing", lease_owner=dead_owner, heartbeat_at=now)
    expected = sorted([forgotten.pk, stale.pk, orphan.pk])
    assert runner.requeue_stale() == expected
    assert sent == expected and fresh.pk not in sent


def test_activities_that_keep_failing_or_take_too_long_are_given_up(api: V3Api) -> None:
    tired = created(api.post("/activities/contact_exports", {}))
    Activity.objects.filter(pk=tired.pk).update(attempts=runner.MAX_ATTEMPTS)
    activities.process(tired.pk)
    body = api.get(f"/activities/{tired.activity_id}").json()
    assert body["state"] == "failed" and body["activity_errors"] == ["The activity failed after 5 attempts."]
    old = created(api.post("/activities/contact_exports", {}))
    Activity.objects.filter(pk=old.pk).update(created_at=timezone.now() - runner.TIME_LIMIT - timedelta(minutes=1))
    activities.process(old.pk)
    assert Activity.objects.get(pk=old.pk).state == ActivityState.TIMED_OUT


def test_the_task_retries_then_fails_the_activity(api: V3Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from apps.v3.bulk import tasks

    activity = created(api.post("/activities/contact_exports", {}))

    def broken(pk: int) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(tasks, "process", broken)
    result = tasks.process_activity.apply(args=[activity.pk], retries=tasks.MAX_RETRIES)
    assert result.successful()
    body = api.get(f"/activities/{activity.activity_id}").json()
    assert body["state"] == "failed"
    assert body["activity_errors"] == ["The activity failed because of an internal error."]


def test_tasks_are_found_by_autodiscovery() -> None:
    code = (
        "import django; django.setup(); from ctctdash.celery import app; app.loader.import_default_modules();"
        "print(sorted(t for t in app.tasks if t.startswith('v3.')));"
        "print(sorted(app.conf.beat_schedule))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ctctdash.settings.test"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert "'v3.activities.process', 'v3.activities.requeue_stale'" in out
    assert "v3: re-enqueue stale bulk activities" in out


# --- whatever the input: a 201 or a 400, and an activity that completes -----------------------

_COLUMNS = st.sampled_from(
    ["email", "EMAIL", "sms_number", "first_name", "birthday_month", "birthday_day", "anniversary", "phone"]
    + ["home_phone", "street", "street2", "work_zip", "home country", "cf:score", "cf:size", "sms_consent_date"]
)
_AWKWARD = ["a@b.co", "A@B.CO", "508-123-1234", "12", "2024-01-02", "Small", "Small, Large", "=1+1", "\x00x", "\\\t\n"]
_CELLS = st.one_of(st.text(max_size=30), st.sampled_from(_AWKWARD))
_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), _CELLS, st.lists(st.integers(), max_size=2)
)
_FUZZ = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _fuzz_account(api: V3Api) -> ContactList:
    """The list and the two custom fields (a number, a multi-select) every fuzzed import may name."""
    CustomField.objects.get_or_create(account=api.account, name="score", defaults={"label": "score", "type": "number"})
    size, made = CustomField.objects.get_or_create(
        account=api.account, name="size", defaults={"label": "size", "type": "multi_select"}
    )
    if made:
        size.choices.create(choice_id=1, choice_label="Small")
        size.choices.create(choice_id=2, choice_label="Large")
    return ContactList.objects.get_or_create(account=api.account, name="Fuzzed")[0]


def _completes(response: Any) -> None:
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        activity = Activity.objects.get(activity_id=response.json()["activity_id"])
        activities.process(activity.pk)
        activity.refresh_from_db()
        assert activity.state == ActivityState.COMPLETED, activity.activity_errors


@_FUZZ
@given(
    header=st.lists(_COLUMNS, min_size=1, max_size=6),
    rows=st.lists(st.lists(_CELLS, max_size=7), max_size=6),
    tail=st.binary(max_size=120),
    sms=st.sampled_from([None, "explicit", "not_set"]),
)
def test_any_csv_is_a_201_or_a_400_and_its_import_completes(
    api: V3Api, header: list[str], rows: list[list[str]], tail: bytes, sms: str | None
) -> None:
    content = csv_text(header, *rows).encode() + tail
    fields = {"sms_permission_to_send": sms} if sms else {}
    _completes(post_file(api, content, str(_fuzz_account(api).list_id), **fields))


@_FUZZ
@given(
    contacts=st.lists(st.dictionaries(_COLUMNS, _VALUES, max_size=6), min_size=1, max_size=6),
    sms=st.sampled_from([None, "explicit", "not_set"]),
)
def test_any_json_contacts_are_a_201_or_a_400_and_their_import_completes(
    api: V3Api, contacts: list[dict[str, Any]], sms: str | None
) -> None:
    body = {"import_data": contacts, "list_ids": [str(_fuzz_account(api).list_id)]}
    _completes(
        api.post("/activities/contacts_json_import", {**body, **({"sms_permission_to_send": sms} if sms else {})})
    )
