"""Bulk imports over HTTP: contacts_file_import and contacts_json_import, their 201s and errors, and
the contacts, values and memberships each import writes.

The work is run in this process by ``run`` (``tests/v3/bulk/support.py``), so these tests see exactly
what a worker would write; ``test_bulk_worker.py`` runs the same work in a real worker process.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.v3.bulk import imports
from apps.v3.bulk.models import Activity
from apps.v3.contacts.models import Contact, ContactAddress, ContactList, ContactPhone, CustomFieldValue, ListMembership
from tests.v3.bulk.support import created, csv_text, emails, make_field, make_list, post_file, run
from tests.v3.conftest import V3Api
from tests.v3.support import error_of

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
