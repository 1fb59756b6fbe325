"""Bulk exports over HTTP: contact_exports, its filters and errors, and the CSV file it leaves.

The work is run in this process by ``run`` (``tests/v3/bulk/support.py``), so these tests see exactly
what a worker would write; ``test_bulk_worker.py`` runs the same work in a real worker process.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.utils import timezone

from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactList,
    ContactPhone,
    CustomField,
    CustomFieldValue,
    Tag,
)
from tests.v3.bulk.support import created, download, email_segment, join, make_contacts, make_field, make_list, run, tag
from tests.v3.conftest import V3Api
from tests.v3.support import error_of


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
