"""Contacts: every operation of the spec tag, its filters, its limits and its errors.

Every call goes through the ``api`` fixture, which validates each response against the spec.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.v3.contacts.models import (
    Contact,
    ContactList,
    ContactNote,
    CustomField,
    CustomFieldChoice,
    CustomFieldValue,
    ListMembership,
    Segment,
    Tag,
    Tagging,
)
from tests.v3.conftest import V3Api
from tests.v3.support import error

# ---------------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture
def tags(api: V3Api) -> list[Tag]:
    """Two tags of the ``api`` account."""
    return [Tag.objects.create(account=api.account, name=f"Tag {n}") for n in range(2)]


@pytest.fixture
def fields(api: V3Api) -> dict[str, CustomField]:
    """A text, a number and a single-select custom field of the ``api`` account."""
    text = CustomField.objects.create(account=api.account, label="Nickname", name="Nickname", type="string")
    number = CustomField.objects.create(account=api.account, label="Shoe size", name="Shoe_size", type="number")
    pick = CustomField.objects.create(
        account=api.account, label="Fruit", name="Fruit", type="single_select", metadata={"display_type": "dropdown"}
    )
    CustomFieldChoice.objects.create(custom_field=pick, choice_id=1, choice_label="Apple")
    CustomFieldChoice.objects.create(custom_field=pick, choice_id=2, choice_label="Pear")
    return {"text": text, "number": number, "pick": pick}


def ids(items: list[Any], attr: str) -> list[str]:
    """The public ids of model rows, as strings."""
    return [str(getattr(item, attr)) for item in items]


def create(api: V3Api, email: str | None = "pat@example.com", **body: Any) -> dict[str, Any]:
    """POST a contact and return the created resource (asserting 201)."""
    payload: dict[str, Any] = {"create_source": "Account", **body}
    if email:
        payload["email_address"] = {"address": email, **payload.get("email_address", {})}
    response = api.post("/contacts", payload)
    assert response.status_code == 201, response.json()
    result: dict[str, Any] = response.json()
    return result


def bulk_contacts(api: V3Api, count: int, **fields: Any) -> list[Contact]:
    """``count`` contacts of the api account, written directly (for listing tests)."""
    return Contact.objects.bulk_create(
        Contact(account=api.account, email_address=f"c{n}@example.com", **fields) for n in range(count)
    )


def listed(api: V3Api, **params: Any) -> list[str]:
    """The contact ids ``GET /contacts`` returns for ``params`` (one page of up to 500)."""
    response = api.get("/contacts", params={"limit": 500, **params})
    assert response.status_code == 200, response.json()
    return [c["contact_id"] for c in response.json()["contacts"]]


# ---------------------------------------------------------------------------------------------
# POST /contacts


def test_create_contact_with_every_sub_resource(
    api: V3Api, lists: list[ContactList], tags: list[Tag], fields: dict[str, CustomField]
) -> None:
    body = create(
        api,
        "Pat.Doe@Example.com",
        email_address={"permission_to_send": "explicit"},
        first_name="Pat",
        last_name="Doe",
        job_title="Baker",
        company_name="Acme",
        birthday_month=11,
        birthday_day=24,
        anniversary="2006-11-15",
        custom_fields=[
            {"custom_field_id": str(fields["text"].custom_field_id), "value": "Patty"},
            {"custom_field_id": str(fields["pick"].custom_field_id), "choice_ids": ["2"]},
        ],
        phone_numbers=[{"phone_number": "+1-555-555-5555", "kind": "home"}],
        street_addresses=[{"kind": "work", "street": "1 Main St", "city": "Boston", "country": "US"}],
        list_memberships=ids(lists[:2], "list_id"),
        taggings=ids(tags, "tag_id"),
        notes=[{"content": "Met at the fair."}],
        sms_channel={
            "full_sms_address": "1 (781) 555-1212",
            "sms_channel_consents": [{"sms_consent_permission": "explicit", "consent_type": "promotional_sms"}],
        },
    )
    assert body["email_address"]["address"] == "pat.doe@example.com"
    assert body["email_address"]["permission_to_send"] == "explicit"
    assert body["email_address"]["opt_in_source"] == "Account"
    assert body["create_source"] == body["update_source"] == "Account"
    assert (body["first_name"], body["birthday_month"], body["anniversary"]) == ("Pat", 11, "2006-11-15")
    assert sorted(body["list_memberships"]) == sorted(ids(lists[:2], "list_id"))
    assert sorted(body["taggings"]) == sorted(ids(tags, "tag_id"))
    assert {c["custom_field_id"]: c.get("value") or c.get("choice_ids") for c in body["custom_fields"]} == {
        str(fields["text"].custom_field_id): "Patty",
        str(fields["pick"].custom_field_id): ["2"],
    }
    assert body["phone_numbers"][0]["kind"] == "home"
    assert body["street_addresses"][0]["city"] == "Boston"
    assert body["notes"][0]["content"] == "Met at the fair."
    assert body["sms_channel"]["sms_address"] == "17815551212"
    assert body["sms_channel"]["sms_channel_consents"][0]["sms_consent_permission"] == "explicit"
    assert "deleted_at" not in body and "job_title" in body


def test_create_contact_defaults_and_omits_empty_values(api: V3Api) -> None:
    body = create(api)
    assert body["email_address"]["permission_to_send"] == "implicit"
    for absent in ("first_name", "birthday_month", "deleted_at", "sms_channel"):
        assert absent not in body
    assert body["custom_fields"] == [] and body["list_memberships"] == []


def test_create_contact_without_email_needs_a_name(api: V3Api) -> None:
    assert create(api, None, first_name="Solo")["first_name"] == "Solo"
    message = error(api.post("/contacts", {"create_source": "Account"}), 400)
    assert "at least one of" in message


def test_create_contact_conflicts_with_a_live_email(api: V3Api) -> None:
    create(api, "taken@example.com")
    assert "already a contact" in error(
        api.post("/contacts", {"create_source": "Account", "email_address": {"address": "TAKEN@example.com"}}), 409
    )


def test_create_contact_revives_a_deleted_one(api: V3Api, lists: list[ContactList]) -> None:
    old = create(api, "back@example.com", first_name="Old", list_memberships=ids(lists[:1], "list_id"))
    assert api.delete(f"/contacts/{old['contact_id']}").status_code == 204
    revived = create(api, "back@example.com", last_name="New")
    assert revived["contact_id"] == old["contact_id"]
    assert "deleted_at" not in revived and "first_name" not in revived
    assert revived["last_name"] == "New" and revived["list_memberships"] == []


def test_reviving_create_keeps_a_contacts_own_unsubscribe(api: V3Api) -> None:
    contact = create(api, "gone@example.com")
    Contact.objects.filter(contact_id=contact["contact_id"]).update(
        permission_to_send="unsubscribed", opt_out_source="Contact", deleted_at=timezone.now()
    )
    revived = create(api, "gone@example.com")
    assert revived["email_address"]["permission_to_send"] == "unsubscribed"
    api.delete(f"/contacts/{contact['contact_id']}")
    body = {
        "create_source": "Account",
        "email_address": {"address": "gone@example.com", "permission_to_send": "explicit"},
    }
    assert "unsubscribed themselves" in error(api.post("/contacts", body), 409)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"first_name": "x"}, "create_source"),
        ({"create_source": "Robot", "first_name": "x"}, "create_source"),
        ({"create_source": "Account", "email_address": {"address": "not-an-email"}}, "email_address.address"),
        (
            {"create_source": "Account", "email_address": {"address": "a@b.co", "permission_to_send": "maybe"}},
            "permission_to_send",
        ),
        ({"create_source": "Account", "first_name": "x" * 51}, "first_name"),
        ({"create_source": "Account", "email_address": {"address": "a" * 75 + "@b.com"}}, "email_address.address"),
        ({"create_source": "Account", "first_name": "x", "birthday_month": 11}, "birthday_month, birthday_day"),
        ({"create_source": "Account", "first_name": "x", "birthday_month": 13, "birthday_day": 1}, "birthday_month"),
        ({"create_source": "Account", "first_name": "x", "birthday_month": 1, "birthday_day": 32}, "birthday_day"),
        ({"create_source": "Account", "first_name": "x", "anniversary": "2006-13-40"}, "anniversary"),
        (
            {"create_source": "Account", "first_name": "x", "phone_numbers": [{"phone_number": "1"}] * 4},
            "phone_numbers: at most 3",
        ),
        (
            {"create_source": "Account", "first_name": "x", "phone_numbers": [{"kind": "home"}]},
            "phone_numbers[0].phone_number",
        ),
        (
            {"create_source": "Account", "first_name": "x", "phone_numbers": [{"phone_number": "1", "kind": "fax"}]},
            "phone_numbers[0]",
        ),
        (
            {"create_source": "Account", "first_name": "x", "street_addresses": [{"kind": "home"}] * 4},
            "street_addresses: at most 3",
        ),
        (
            {"create_source": "Account", "first_name": "x", "street_addresses": [{"kind": "boat"}]},
            "street_addresses[0].kind",
        ),
        (
            {
                "create_source": "Account",
                "first_name": "x",
                "custom_fields": [{"custom_field_id": str(uuid.uuid4())}] * 26,
            },
            "custom_fields: at most 25",
        ),
        (
            {"create_source": "Account", "first_name": "x", "list_memberships": [str(uuid.uuid4())] * 51},
            "list_memberships: at most 50",
        ),
        ({"create_source": "Account", "first_name": "x", "taggings": [str(uuid.uuid4())] * 51}, "taggings: at most 50"),
        ({"create_source": "Account", "first_name": "x", "notes": [{"content": "n"}] * 151}, "notes: at most 150"),
        ({"create_source": "Account", "first_name": "x", "notes": [{"content": "n" * 2001}]}, "notes.0.content"),
        ({"create_source": "Account", "first_name": "x", "notes": [{"content": ""}]}, "notes[0].content"),
        ({"create_source": "Account", "first_name": "x", "list_memberships": ["nope"]}, "list_memberships[0]"),
        ({"create_source": "Account", "first_name": "x\u0000"}, "first_name: contains a NUL"),
        (
            {"create_source": "Account", "sms_channel": {"full_sms_address": "12ab", "sms_channel_consents": []}},
            "full_sms_address",
        ),
        (["not", "an", "object"], "body"),
    ],
)
def test_create_contact_rejects_bad_input(api: V3Api, body: Any, named: str) -> None:
    assert named in error(api.post("/contacts", body), 400)
    assert not Contact.objects.filter(account=api.account).exists()


def test_ids_from_another_account_are_named_and_nothing_is_written(
    api: V3Api, other_api: V3Api, lists: list[ContactList]
) -> None:
    foreign_list = ContactList.objects.create(account=other_api.account, name="Theirs")
    foreign_tag = Tag.objects.create(account=other_api.account, name="Theirs")
    foreign_field = CustomField.objects.create(account=other_api.account, label="X", name="X", type="string")
    cases = {
        "list_memberships": [str(lists[0].list_id), str(foreign_list.list_id)],
        "taggings": [str(foreign_tag.tag_id)],
        "custom_fields": [{"custom_field_id": str(foreign_field.custom_field_id), "value": "v"}],
    }
    for key, value in cases.items():
        message = error(api.post("/contacts", {"create_source": "Account", "first_name": "x", key: value}), 400)
        foreign = value[-1]["custom_field_id"] if key == "custom_fields" else value[-1]
        assert key in message and foreign in message
    assert not Contact.objects.filter(account=api.account).exists()


def test_body_errors_malformed_json_and_content_type(api: V3Api) -> None:
    assert api.post("/contacts", raw=b"{not json").status_code == 400
    assert api.post("/contacts", raw=b"").status_code == 400
    assert api.post("/contacts", raw=b"first_name=x", content_type="text/plain").status_code == 415
    contact = create(api)
    # PUT declares no 415, so a non-JSON body there is the declared 400.
    response = api.put(f"/contacts/{contact['contact_id']}", raw=b"x", content_type="text/plain")
    assert "Content-Type" in error(response, 400)


# ---------------------------------------------------------------------------------------------
# GET / PUT / DELETE /contacts/{contact_id}


def test_get_contact_with_includes(api: V3Api, lists: list[ContactList]) -> None:
    contact = create(api, first_name="Pat", list_memberships=ids(lists[:1], "list_id"), notes=[{"content": "a"}])
    plain = api.get(f"/contacts/{contact['contact_id']}").json()
    assert plain["first_name"] == "Pat" and "list_memberships" not in plain and "notes" not in plain
    full = api.get(f"/contacts/{contact['contact_id']}", params={"include": "list_memberships,notes"}).json()
    assert full["list_memberships"] == ids(lists[:1], "list_id")
    assert [n["content"] for n in full["notes"]] == ["a"] and "phone_numbers" not in full


def test_memberships_of_a_deleted_list_are_not_reported(api: V3Api, lists: list[ContactList]) -> None:
    contact = create(api, list_memberships=ids(lists[:2], "list_id"))
    ContactList.objects.filter(pk=lists[0].pk).update(deleted_at=timezone.now())
    body = api.get(f"/contacts/{contact['contact_id']}", params={"include": "list_memberships"}).json()
    assert body["list_memberships"] == ids(lists[1:2], "list_id")


def test_notes_are_listed_most_recent_first(api: V3Api) -> None:
    contact = create(
        api,
        notes=[
            {"content": "old", "created_at": "2020-01-01T00:00:00Z"},
            {"content": "new", "created_at": "2024-01-01T00:00:00+02:00"},
        ],
    )
    assert [n["content"] for n in contact["notes"]] == ["new", "old"]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("put", "", {"update_source": "Account"}),
        ("delete", "", None),
        ("get", "sms_engagement_history/", None),
        ("put", "resubscribe/", {"list_ids": [str(uuid.uuid4())]}),
    ],
)
def test_contact_ids_that_are_not_the_accounts(
    api: V3Api, other_api: V3Api, method: str, suffix: str, body: Any
) -> None:
    theirs = create(other_api)["contact_id"]

    def path(contact_id: str) -> str:
        return f"/contacts/{suffix}{contact_id}" if suffix else f"/contacts/{contact_id}"

    kwargs = {"data": body} if body is not None else {}
    assert getattr(api, method)(path(theirs), **kwargs).status_code == 404
    assert getattr(api, method)(path(str(uuid.uuid4())), **kwargs).status_code == 404
    assert "contact_id" in error(getattr(api, method)(path("not-a-uuid"), **kwargs), 400)
    assert other_api.get(f"/contacts/{theirs}").json()["contact_id"] == theirs


def test_put_replaces_fields_and_only_given_sub_resources(
    api: V3Api, lists: list[ContactList], tags: list[Tag]
) -> None:
    contact = create(
        api,
        first_name="Pat",
        job_title="Baker",
        list_memberships=ids(lists[:2], "list_id"),
        taggings=ids(tags[:1], "tag_id"),
        phone_numbers=[{"phone_number": "555-1234"}],
    )
    response = api.put(
        f"/contacts/{contact['contact_id']}",
        {"update_source": "Contact", "first_name": "Patricia", "list_memberships": ids(lists[1:], "list_id")},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["first_name"] == "Patricia" and "job_title" not in body
    assert body["update_source"] == "Contact" and body["create_source"] == "Account"
    assert sorted(body["list_memberships"]) == sorted(ids(lists[1:], "list_id"))
    assert body["taggings"] == ids(tags[:1], "tag_id")
    assert [p["phone_number"] for p in body["phone_numbers"]] == ["555-1234"]
    assert body["email_address"]["address"] == "pat@example.com"


def test_put_keeps_note_ids_and_changes_the_email(api: V3Api) -> None:
    contact = create(api, notes=[{"content": "keep"}])
    note_id = contact["notes"][0]["note_id"]
    body = api.put(
        f"/contacts/{contact['contact_id']}",
        {
            "update_source": "Account",
            "email_address": {"address": "new@example.com"},
            "notes": [{"note_id": note_id, "content": "kept"}, {"note_id": note_id, "content": "copy"}],
        },
    ).json()
    assert body["email_address"]["address"] == "new@example.com"
    assert body["email_address"]["permission_to_send"] == "implicit"
    assert note_id in [n["note_id"] for n in body["notes"]] and len({n["note_id"] for n in body["notes"]}) == 2


def test_put_errors(api: V3Api, tags: list[Tag]) -> None:
    contact = create(api, first_name="Pat", taggings=ids(tags[:1], "tag_id"))
    other = create(api, "other@example.com")
    path = f"/contacts/{contact['contact_id']}"
    assert "update_source" in error(api.put(path, {"first_name": "x"}), 400)
    assert "another contact" in error(
        api.put(path, {"update_source": "Account", "email_address": {"address": other["email_address"]["address"]}}),
        409,
    )
    # A failed write leaves the contact as it was.
    assert "taggings" in error(
        api.put(path, {"update_source": "Account", "first_name": "Changed", "taggings": [str(uuid.uuid4())]}), 400
    )
    body = api.get(path, params={"include": "taggings"}).json()
    assert body["first_name"] == "Pat" and body["taggings"] == ids(tags[:1], "tag_id")


def test_put_may_not_opt_in_a_contact_who_unsubscribed(api: V3Api) -> None:
    contact = create(api, email_address={"permission_to_send": "unsubscribed"})
    Contact.objects.filter(contact_id=contact["contact_id"]).update(opt_out_source="Contact")
    body = {
        "update_source": "Account",
        "email_address": {"address": "pat@example.com", "permission_to_send": "explicit"},
    }
    assert "resubscribe" in error(api.put(f"/contacts/{contact['contact_id']}", body), 409)
    body["update_source"] = "Contact"
    response = api.put(f"/contacts/{contact['contact_id']}", body)
    assert response.json()["email_address"]["permission_to_send"] == "explicit"
    assert "opt_out_date" not in response.json()["email_address"]


def test_unsubscribing_stamps_the_opt_out(api: V3Api) -> None:
    contact = create(api)
    body = {
        "update_source": "Account",
        "email_address": {
            "address": "pat@example.com",
            "permission_to_send": "unsubscribed",
            "opt_out_reason": "Too many",
        },
    }
    email = api.put(f"/contacts/{contact['contact_id']}", body).json()["email_address"]
    assert (email["permission_to_send"], email["opt_out_source"], email["opt_out_reason"]) == (
        "unsubscribed",
        "Account",
        "Too many",
    )
    assert "opt_out_date" in email


def test_delete_then_read_then_revive_by_put(api: V3Api) -> None:
    contact = create(api, first_name="Pat")
    path = f"/contacts/{contact['contact_id']}"
    assert api.delete(path).status_code == 204
    assert api.delete(path).status_code == 204  # deleting again changes nothing
    deleted = api.get(path).json()
    assert deleted["deleted_at"] == timezone.now().date().isoformat()
    assert contact["contact_id"] not in listed(api)
    assert "update_source" in error(api.put(path, {"update_source": "Contact"}), 400)
    revived = api.put(path, {"update_source": "Account", "first_name": "Back"}).json()
    assert "deleted_at" not in revived and contact["contact_id"] in listed(api)


# ---------------------------------------------------------------------------------------------
# GET /contacts


def test_status_filter(api: V3Api) -> None:
    rows = {
        p: create(api, f"{p}@example.com", email_address={"permission_to_send": p})["contact_id"]
        for p in ("explicit", "implicit", "unsubscribed", "pending_confirmation", "temp_hold", "not_set")
    }
    gone = create(api, "gone@example.com")["contact_id"]
    api.delete(f"/contacts/{gone}")
    assert set(listed(api)) == set(rows.values())
    assert set(listed(api, status="all")) == {*rows.values(), gone}
    assert listed(api, status="deleted") == [gone]
    assert set(listed(api, status="active")) == {rows["explicit"], rows["implicit"]}
    assert set(listed(api, status="unsubscribed,deleted")) == {rows["unsubscribed"], gone}
    for status in ("not_set", "pending_confirmation", "temp_hold"):
        assert listed(api, status=status) == [rows[status]]
    assert "status" in error(api.get("/contacts", params={"status": "active,bogus"}), 400)


def test_email_sms_and_date_filters(api: V3Api) -> None:
    pat = create(api, "pat@example.com")["contact_id"]
    sms = {
        "full_sms_address": "17815551212",
        "sms_channel_consents": [{"sms_consent_permission": "explicit", "consent_type": "promotional_sms"}],
    }
    texter = create(api, "sms@example.com", sms_channel=sms)["contact_id"]
    assert listed(api, email="PAT@example.com") == [pat]
    assert listed(api, sms_status="explicit") == [texter]
    assert set(listed(api, sms_status="all")) == {pat, texter}
    assert set(listed(api, sms_status="not_set,explicit")) == {pat, texter}
    past = timezone.now() - timedelta(days=10)
    Contact.objects.filter(contact_id=pat).update(created_at=past, updated_at=past)
    Contact.objects.filter(contact_id=texter).update(opt_out_date=past + timedelta(days=1))
    middle = (past + timedelta(days=5)).isoformat()
    assert listed(api, created_before=middle) == [pat]
    assert listed(api, created_after=middle) == [texter]
    assert listed(api, updated_before=middle) == [pat]
    assert listed(api, updated_after=middle) == [texter]
    assert listed(api, optout_after=past.date().isoformat(), optout_before=middle) == [texter]
    assert "updated_after" in error(api.get("/contacts", params={"updated_after": "yesterday"}), 400)
    assert "created_before" in error(api.get("/contacts", params={"created_before": "0001-01-01T00:00:00+05:00"}), 400)


def test_list_and_tag_filters(api: V3Api, other_api: V3Api, lists: list[ContactList], tags: list[Tag]) -> None:
    first = create(api, "a@example.com", list_memberships=ids(lists[:2], "list_id"), taggings=ids(tags[:1], "tag_id"))
    second = create(api, "b@example.com", list_memberships=ids(lists[1:2], "list_id"), taggings=ids(tags, "tag_id"))
    create(api, "c@example.com")
    assert listed(api, lists=str(lists[0].list_id)) == [first["contact_id"]]
    both = f"{lists[0].list_id},{lists[1].list_id}"
    assert listed(api, lists=both) == [first["contact_id"], second["contact_id"]]  # once each, though on both
    assert listed(api, tags=str(tags[1].tag_id)) == [second["contact_id"]]
    assert listed(api, lists=str(lists[0].list_id), tags=str(tags[1].tag_id)) == []
    assert listed(other_api, lists=str(lists[0].list_id)) == []
    too_many = ",".join(str(uuid.uuid4()) for _ in range(26))
    assert "lists" in error(api.get("/contacts", params={"lists": too_many}), 400)
    assert "lists" in error(api.get("/contacts", params={"lists": "x"}), 400)
    assert "tags" in error(api.get("/contacts", params={"tags": "x"}), 400)
    too_many = ",".join(str(uuid.uuid4()) for _ in range(51))
    assert "tags" in error(api.get("/contacts", params={"tags": too_many}), 400)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"limit": "x"},
        {"include": "everything"},
        {"include_count": "maybe"},
        {"sms_status": "x"},
        {"email": "a\u0000b"},
        {"cursor": "forged"},
    ],
)
def test_bad_listing_parameters(api: V3Api, params: dict[str, Any]) -> None:
    assert next(iter(params)) in error(api.get("/contacts", params=params), 400)


def test_include_count_and_include(api: V3Api, fields: dict[str, CustomField]) -> None:
    create(
        api, "a@example.com", custom_fields=[{"custom_field_id": str(fields["number"].custom_field_id), "value": "9.5"}]
    )
    create(api, "b@example.com")
    body = api.get("/contacts", params={"limit": 1, "include_count": "true", "include": "custom_fields"}).json()
    assert body["contacts_count"] == 2 and len(body["contacts"]) == 1
    assert body["contacts"][0]["custom_fields"] == [
        {"custom_field_id": str(fields["number"].custom_field_id), "value": "9.5"}
    ]
    assert "contacts_count" not in api.get("/contacts").json()


def test_paging_follows_next_links_to_the_end(api: V3Api) -> None:
    made = bulk_contacts(api, 12)
    seen: list[str] = []
    href: str | None = "/v3/contacts?limit=5&status=all"
    pages = 0
    while href:
        assert href.startswith("/v3/")
        body = api.get(href.removeprefix("/v3")).json()
        seen += [c["contact_id"] for c in body["contacts"]]
        href = body["_links"].get("next", {}).get("href")
        pages += 1
        if href:
            assert "status=all" in href and "limit=5" in href
    assert pages == 3
    assert seen == ids(made, "contact_id")


def test_filtered_pages_lose_no_one_and_count_every_match(
    api: V3Api, lists: list[ContactList], tags: list[Tag]
) -> None:
    contacts = bulk_contacts(api, 11)
    on_list = contacts[1::2]
    ListMembership.objects.bulk_create(ListMembership(contact=c, contact_list=lists[0]) for c in on_list)
    Tagging.objects.bulk_create(Tagging(contact=c, tag=tags[0]) for c in contacts)
    seen: list[str] = []
    href: str | None = f"/v3/contacts?limit=2&include_count=true&lists={lists[0].list_id}&tags={tags[0].tag_id}"
    while href:
        body = api.get(href.removeprefix("/v3")).json()
        assert body["contacts_count"] == len(on_list)
        seen += [c["contact_id"] for c in body["contacts"]]
        href = body["_links"].get("next", {}).get("href")
    assert seen == ids(on_list, "contact_id")


def test_includes_load_in_a_constant_number_of_queries(
    api: V3Api,
    lists: list[ContactList],
    tags: list[Tag],
    fields: dict[str, CustomField],
    django_assert_max_num_queries: Any,
) -> None:
    contacts = bulk_contacts(api, 200)
    ListMembership.objects.bulk_create(ListMembership(contact=c, contact_list=lst) for c in contacts for lst in lists)
    Tagging.objects.bulk_create(Tagging(contact=c, tag=t) for c in contacts for t in tags)
    CustomFieldValue.objects.bulk_create(
        CustomFieldValue(contact=c, custom_field=fields["text"], value="v") for c in contacts
    )
    ContactNote.objects.bulk_create(ContactNote(contact=c, content="n", created_at=timezone.now()) for c in contacts)
    params = {
        "include": "custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes",
        "include_count": "true",
    }
    counts = []
    for size in (5, 200):
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            body = api.get("/contacts", params={**params, "limit": size}).json()
        assert len(body["contacts"]) == size and len(body["contacts"][-1]["list_memberships"]) == 3
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_segment_filter(api: V3Api, other_api: V3Api) -> None:
    from apps.v3.contacts.segments import contacts_matching  # noqa: F401 - fails loudly until the evaluator exists

    keep = create(api, "keep@example.com", email_address={"permission_to_send": "explicit"})
    create(api, "skip@example.com", email_address={"permission_to_send": "unsubscribed"})
    criteria = json.dumps(
        {
            "version": "1.0.0",
            "criteria": {
                "type": "and",
                "group": [{"source": "contact", "field": "permission_to_send", "op": "eq", "const_value": "explicit"}],
            },
        }
    )
    segment = Segment.objects.create(account=api.account, name="Opted in", segment_criteria=criteria)
    response = api.get("/contacts", params={"segment_id": segment.pk, "limit": 10})
    assert response.status_code == 200
    assert [c["contact_id"] for c in response.json()["contacts"]] == [keep["contact_id"]]
    assert "segment_id" in error(api.get("/contacts", params={"segment_id": segment.pk, "status": "all"}), 400)
    assert "segment_id" in error(api.get("/contacts", params={"segment_id": "abc"}), 400)
    assert other_api.get("/contacts", params={"segment_id": segment.pk}).status_code == 404
    Segment.objects.filter(pk=segment.pk).update(deleted_at=timezone.now())
    assert api.get("/contacts", params={"segment_id": segment.pk}).status_code == 404


# ---------------------------------------------------------------------------------------------
# POST /contacts/sign_up_form


def test_sign_up_creates_then_merges(api: V3Api, lists: list[ContactList], fields: dict[str, CustomField]) -> None:
    text, number = (str(fields[k].custom_field_id) for k in ("text", "number"))
    first = api.post(
        "/contacts/sign_up_form",
        {
            "email_address": "Fan@Example.com",
            "first_name": "Fan",
            "list_memberships": ids(lists[:1], "list_id"),
            "custom_fields": [{"custom_field_id": text, "value": "Fanny"}],
            "phone_number": "555-0100",
            "street_address": {"kind": "home", "city": "Salem"},
        },
    )
    assert first.status_code == 201 and first.json()["action"] == "created"
    contact_id = first.json()["contact_id"]
    second = api.post(
        "/contacts/sign_up_form",
        {
            "email_address": "fan@example.com",
            "last_name": "Club",
            "list_memberships": ids(lists[1:2], "list_id"),
            "custom_fields": [{"custom_field_id": number, "value": "42"}],
            "phone_number": "555-0100",
            "street_address": {"kind": "home", "city": "Lynn"},
        },
    )
    assert second.status_code == 200 and second.json() == {"contact_id": contact_id, "action": "updated"}
    body = api.get(
        f"/contacts/{contact_id}", params={"include": "list_memberships,custom_fields,phone_numbers,street_addresses"}
    ).json()
    assert (body["first_name"], body["last_name"]) == ("Fan", "Club")
    assert sorted(body["list_memberships"]) == sorted(ids(lists[:2], "list_id"))
    assert {c["custom_field_id"] for c in body["custom_fields"]} == {text, number}
    assert len(body["phone_numbers"]) == 1 and [a["city"] for a in body["street_addresses"]] == ["Lynn"]
    assert body["email_address"]["permission_to_send"] == "explicit"
    assert body["email_address"]["opt_in_source"] == "Contact" and body["create_source"] == "Contact"


def test_a_list_being_deleted_no_longer_counts_toward_the_50(api: V3Api) -> None:
    many = [ContactList.objects.create(account=api.account, name=f"L{i}") for i in range(51)]
    body = {"email_address": "full@example.com", "list_memberships": ids(many[:50], "list_id")}
    assert api.post("/contacts/sign_up_form", body).status_code == 201
    more = {"email_address": "full@example.com", "list_memberships": ids(many[50:], "list_id")}
    assert "at most 50" in error(api.post("/contacts/sign_up_form", more), 400)
    # The DELETE hides the list at once; its memberships go later, in the background.
    assert api.delete(f"/contact_lists/{many[0].list_id}").status_code == 202
    assert ListMembership.objects.filter(contact_list=many[0]).exists()
    assert api.post("/contacts/sign_up_form", more).status_code == 200


def test_sign_up_revives_and_opts_in(api: V3Api, lists: list[ContactList]) -> None:
    contact = create(api, "back@example.com", email_address={"permission_to_send": "unsubscribed"})
    api.delete(f"/contacts/{contact['contact_id']}")
    response = api.post(
        "/contacts/sign_up_form", {"email_address": "back@example.com", "list_memberships": ids(lists[:1], "list_id")}
    )
    assert response.status_code == 200 and response.json()["contact_id"] == contact["contact_id"]
    body = api.get(f"/contacts/{contact['contact_id']}").json()
    assert "deleted_at" not in body and body["email_address"]["permission_to_send"] == "explicit"


def test_sign_up_by_sms_number(api: V3Api, lists: list[ContactList]) -> None:
    sms = {
        "sms_address": "7815551212",
        "dial_code": "1",
        "country_code": "US",
        "sms_channel_consents": [
            {
                "sms_consent_permission": "explicit",
                "consent_type": "promotional_sms",
                "consent_medium_type": "LF",
                "consent_medium_url": "https://example.com/form",
                "consent_medium_details": "form",
            }
        ],
    }
    body = {"sms_channel": sms, "list_memberships": ids(lists[:1], "list_id")}
    created = api.post("/contacts/sign_up_form", body)
    assert created.status_code == 201
    again = api.post("/contacts/sign_up_form", {**body, "list_memberships": ids(lists[1:2], "list_id")})
    assert again.status_code == 200 and again.json()["contact_id"] == created.json()["contact_id"]
    history = api.get(f"/contacts/sms_engagement_history/{created.json()['contact_id']}").json()
    assert history[0]["history_details"]["consent_action_type"] == "opt_in"
    assert history[0]["history_details"]["source_sms_number"] == "17815551212"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"email_address": "a@example.com"}, "list_memberships"),
        ({"email_address": "a@example.com", "list_memberships": []}, "list_memberships"),
        ({"first_name": "x", "list_memberships": ["LIST"]}, "email_address"),
        ({"email_address": "a@example.com", "list_memberships": [str(uuid.uuid4())]}, "list_memberships"),
        ({"email_address": "x" * 45 + "@example.com", "list_memberships": ["LIST"]}, "email_address"),
    ],
)
def test_sign_up_rejects_bad_input(api: V3Api, lists: list[ContactList], body: dict[str, Any], named: str) -> None:
    if body.get("list_memberships") == ["LIST"]:
        body["list_memberships"] = ids(lists[:1], "list_id")
    assert named in error(api.post("/contacts/sign_up_form", body), 400)


def test_sign_up_merging_respects_the_contact_limits(api: V3Api, lists: list[ContactList]) -> None:
    create(api, "full@example.com", phone_numbers=[{"phone_number": f"555-000{n}"} for n in range(3)])
    body = {
        "email_address": "full@example.com",
        "list_memberships": ids(lists[:1], "list_id"),
        "phone_number": "555-9999",
    }
    assert "phone_number" in error(api.post("/contacts/sign_up_form", body), 400)
    assert not ListMembership.objects.filter(contact__email_address="full@example.com").exists()


# ---------------------------------------------------------------------------------------------
# PUT /contacts/resubscribe/{contact_id}


def test_resubscribe_once(api: V3Api, lists: list[ContactList]) -> None:
    contact = create(
        api, email_address={"permission_to_send": "unsubscribed"}, list_memberships=ids(lists[:1], "list_id")
    )
    path = f"/contacts/resubscribe/{contact['contact_id']}"
    assert "list_ids" in error(api.put(path, {"list_ids": [str(uuid.uuid4())]}), 400)
    assert "list_ids" in error(api.put(path, {"list_ids": []}), 400)
    response = api.put(path, {"list_ids": ids(lists[1:2], "list_id")})
    assert response.status_code == 200 and response.content == b""
    body = api.get(f"/contacts/{contact['contact_id']}", params={"include": "list_memberships"}).json()
    assert body["email_address"]["permission_to_send"] == "pending_confirmation"
    assert body["email_address"]["confirm_status"] == "pending"
    assert sorted(body["list_memberships"]) == sorted(ids(lists[:2], "list_id"))
    assert "not unsubscribed" in error(api.put(path, {"list_ids": ids(lists[1:2], "list_id")}), 409)


def test_resubscribe_needs_an_unsubscribed_live_contact(api: V3Api, lists: list[ContactList]) -> None:
    subscribed = create(api, "on@example.com")
    assert "not unsubscribed" in error(
        api.put(f"/contacts/resubscribe/{subscribed['contact_id']}", {"list_ids": ids(lists[:1], "list_id")}), 409
    )
    api.delete(f"/contacts/{subscribed['contact_id']}")
    assert "deleted" in error(
        api.put(f"/contacts/resubscribe/{subscribed['contact_id']}", {"list_ids": ids(lists[:1], "list_id")}), 409
    )


# ---------------------------------------------------------------------------------------------
# GET /contacts/counts, /contacts/contact_id_xrefs, /contacts/sms_engagement_history/{id}


def test_counts(api: V3Api, other_api: V3Api) -> None:
    for n, permission in enumerate(
        ["explicit", "explicit", "implicit", "pending_confirmation", "unsubscribed", "temp_hold"]
    ):
        create(api, f"c{n}@example.com", email_address={"permission_to_send": permission})
    gone = create(api, "gone@example.com")
    api.delete(f"/contacts/{gone['contact_id']}")
    Contact.objects.filter(email_address="c0@example.com").update(opt_in_date=timezone.now() - timedelta(days=40))
    create(other_api, "elsewhere@example.com")
    assert api.get("/contacts/counts").json() == {
        "total": 6,
        "explicit": 2,
        "implicit": 1,
        "pending": 1,
        "unsubscribed": 1,
    }
    assert api.get("/contacts/counts", params={"include": "new_subscriber"}).json()["new_subscriber"] == 1
    assert "include" in error(api.get("/contacts/counts", params={"include": "new_subscribers"}), 400)


def test_xrefs(api: V3Api, other_api: V3Api) -> None:
    mine = bulk_contacts(api, 3)
    theirs = create(other_api, "x@example.com")
    their_pk = Contact.objects.get(contact_id=theirs["contact_id"]).pk
    wanted = [mine[2].pk, mine[0].pk, their_pk, 10**12]
    body = api.get("/contacts/contact_id_xrefs", params={"sequence_ids": ",".join(map(str, wanted))}).json()
    assert body["xrefs"] == [
        {"sequence_id": str(c.pk), "contact_id": str(c.contact_id)}
        for c in sorted([mine[0], mine[2]], key=lambda c: c.pk)
    ]
    assert "sequence_ids" in error(api.get("/contacts/contact_id_xrefs"), 400)
    assert "sequence_ids" in error(api.get("/contacts/contact_id_xrefs", params={"sequence_ids": "1,x"}), 400)
    assert "sequence_ids" in error(api.get("/contacts/contact_id_xrefs", params={"sequence_ids": "9" * 30}), 400)
    too_many = ",".join(str(n) for n in range(1, 502))
    assert "sequence_ids" in error(api.get("/contacts/contact_id_xrefs", params={"sequence_ids": too_many}), 400)


def test_sms_engagement_history(api: V3Api) -> None:
    plain = create(api)
    assert api.get(f"/contacts/sms_engagement_history/{plain['contact_id']}").json() == []
    sms = {
        "full_sms_address": "+44 7700 900123",
        "sms_channel_consents": [{"sms_consent_permission": "unsubscribed", "consent_type": "promotional_sms"}],
    }
    texter = create(api, "t@example.com", sms_channel=sms)
    history = api.get(f"/contacts/sms_engagement_history/{texter['contact_id']}").json()
    assert len(history) == 1
    assert history[0]["contact_id"] == texter["contact_id"]
    assert history[0]["sms_channel_id"] == texter["sms_channel"]["sms_channel_id"]
    assert history[0]["history_details"]["state"] == "O"
    assert history[0]["history_details"]["source"] == "A"


# ---------------------------------------------------------------------------------------------
# Account isolation and privileges


def test_other_account_sees_none_of_the_contacts(api: V3Api, other_api: V3Api) -> None:
    mine = create(api)
    assert listed(other_api, status="all") == []
    assert other_api.get("/contacts/counts").json()["total"] == 0
    assert (
        other_api.put(
            f"/contacts/{mine['contact_id']}", {"update_source": "Account", "first_name": "Mallory"}
        ).status_code
        == 404
    )
    assert other_api.delete(f"/contacts/{mine['contact_id']}").status_code == 404
    # The other account may use the same address for its own contact.
    assert create(other_api)["contact_id"] != mine["contact_id"]
    assert "first_name" not in api.get(f"/contacts/{mine['contact_id']}").json()


def test_writes_need_the_write_privilege(make_api: Callable[..., V3Api]) -> None:
    reader = make_api(role="reports_viewer")
    assert reader.get("/contacts").status_code == 200
    response = reader.post("/contacts", {"create_source": "Account", "first_name": "x"})
    assert response.status_code == 403


# ---------------------------------------------------------------------------------------------
# GET /contacts?search= (this service's addition to the spec)


def test_search_finds_any_part_of_a_name_or_email_in_any_case(api: V3Api, other_api: V3Api) -> None:
    ana = create(api, "ana.lopez@example.org", first_name="Ana", last_name="Lopez")["contact_id"]
    sam = create(api, "sam@mail.test", first_name="Samuel", last_name="Smith")["contact_id"]
    create(other_api, "ana@example.org", first_name="Ana")  # another account's Ana is never found
    assert listed(api, search="ana") == [ana]
    assert listed(api, search="SMITH") == [sam]
    assert listed(api, search="example.org") == [ana]
    assert listed(api, search="ana lopez") == [ana]  # the full name, as a person types it
    assert set(listed(api, search="a")) == {ana, sam}
    assert listed(api, search="nobody") == []
    # A LIKE wildcard in the term is a plain character.
    assert listed(api, search="%") == [] and listed(api, search="_") == []
    assert set(listed(api, search="  ")) == {ana, sam}  # blank: no search


def test_search_pages_by_cursor_and_combines_with_the_filters(api: V3Api) -> None:
    for n in range(5):
        create(api, f"pat{n}@example.com", first_name="Pat")
    create(api, "someone@example.com", first_name="Kim")
    first = api.get("/contacts", params={"search": "pat", "limit": 2}).json()
    assert len(first["contacts"]) == 2
    assert "search=pat" in first["_links"]["next"]["href"]
    seen = [c["contact_id"] for c in first["contacts"]]
    href = first["_links"]["next"]["href"]
    while href:
        page = api.get(href.removeprefix("/v3")).json()
        seen += [c["contact_id"] for c in page["contacts"]]
        href = page.get("_links", {}).get("next", {}).get("href")
    assert len(seen) == len(set(seen)) == 5
    one = api.get("/contacts", params={"search": "pat", "email": "pat3@example.com"}).json()["contacts"]
    assert [c["email_address"]["address"] for c in one] == ["pat3@example.com"]
    assert listed(api, search="pat", status="unsubscribed") == []


def test_a_search_term_past_80_characters_is_a_400(api: V3Api) -> None:
    error(api.get("/contacts", params={"search": "x" * 81}), 400, "search", "80")
