"""Contact Lists: the six operations, their parameters and errors, counts and account isolation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.bulk import handlers as activities
from apps.v3.bulk.models import Activity, ActivityKind
from apps.v3.contacts.models import Contact, ContactList, ListMembership
from apps.v3.contract import validate_django_response
from tests.v3.conftest import V3Api
from tests.v3.support import error_of, follow_all


def make_list(api: V3Api, name: str, **extra: Any) -> dict[str, Any]:
    """Create a list through the API and return its body."""
    response = api.post("/contact_lists", {"name": name, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def add_members(account: Account, contact_list: ContactList, n: int, **fields: Any) -> list[Contact]:
    """``n`` contacts with ``fields``, all on ``contact_list``."""
    start = Contact.objects.count()
    contacts = [
        Contact.objects.create(account=account, email_address=f"c{start + i}@example.com", **fields) for i in range(n)
    ]
    ListMembership.objects.bulk_create([ListMembership(contact=c, contact_list=contact_list) for c in contacts])
    return contacts


# --- create, read, update --------------------------------------------------------------------


def test_create_read_update_a_list(api: V3Api) -> None:
    created = make_list(api, "Newsletter", description="Monthly news", favorite=True)
    assert created["name"] == "Newsletter" and created["favorite"] is True and created["description"] == "Monthly news"
    assert "deleted_at" not in created and "membership_count" not in created
    assert created["created_at"].endswith("+00:00")
    list_id = created["list_id"]

    fetched = api.get(f"/contact_lists/{list_id}").json()
    assert fetched == created

    # A PUT that names only the list keeps its description and favorite flag.
    renamed = api.put(f"/contact_lists/{list_id}", {"name": "Monthly"}).json()
    assert renamed["name"] == "Monthly" and renamed["description"] == "Monthly news" and renamed["favorite"] is True
    changed = api.put(f"/contact_lists/{list_id}", {"name": "Monthly", "favorite": False, "description": ""}).json()
    assert changed["favorite"] is False and "description" not in changed


def test_a_minimal_list_leaves_out_empty_values(api: V3Api) -> None:
    created = make_list(api, "Plain")
    assert set(created) == {"list_id", "name", "favorite", "created_at", "updated_at"}
    assert created["favorite"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": 5}, "name"),
        ({"name": "ok", "favorite": "yes"}, "favorite"),
        ({"name": "ok", "description": 3}, "description"),
        ({"name": "a\x00b"}, "name"),
    ],
)
def test_create_refuses_bad_bodies(api: V3Api, body: dict[str, Any], field: str) -> None:
    response = api.post("/contact_lists", body)
    assert response.status_code == 400
    assert field in error_of(response)["error_message"]
    assert not ContactList.objects.filter(account=api.account).exists()


def test_malformed_json_and_wrong_content_type(api: V3Api) -> None:
    response = api.post("/contact_lists", raw=b'{"name": ', content_type="application/json")
    assert response.status_code == 400 and error_of(response)["error_key"] == "api.malformed_json"
    # createList declares no 415, so its declared 400 carries the media-type error.
    response = api.post("/contact_lists", raw=b"name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and error_of(response)["error_key"] == "api.unsupported_media_type"
    assert not ContactList.objects.exists()


def test_names_are_unique_among_live_lists(api: V3Api) -> None:
    first = make_list(api, "VIP")
    response = api.post("/contact_lists", {"name": "VIP"})
    assert response.status_code == 409 and "VIP" in error_of(response)["error_message"]
    other = make_list(api, "Other")
    # putList declares no 409: renaming onto a taken name is its declared 400 with a conflict key.
    response = api.put(f"/contact_lists/{other['list_id']}", {"name": "VIP"})
    assert response.status_code == 400 and error_of(response)["error_key"] == "api.conflict"
    assert ContactList.objects.get(list_id=other["list_id"]).name == "Other"
    # Keeping one's own name is no conflict; a deleted list's name is free again.
    assert api.put(f"/contact_lists/{first['list_id']}", {"name": "VIP"}).status_code == 200
    assert api.delete(f"/contact_lists/{first['list_id']}").status_code == 202
    make_list(api, "VIP")


def test_get_list_with_a_bad_count_mode_is_a_400(api: V3Api) -> None:
    list_id = make_list(api, "A")["list_id"]
    # getList declares no 400, yet a bad enum value is the caller's error: answered 400 anyway
    # (a documented exception in the validator, which still checks the envelope).
    response = api.get(f"/contact_lists/{list_id}", params={"include_membership_count": "some"})
    assert response.status_code == 400
    assert error_of(response)["error_message"].startswith("include_membership_count:")


# --- delete ------------------------------------------------------------------------------------


def test_delete_hides_the_list_at_once_and_queues_a_list_delete_activity(api: V3Api) -> None:
    body = make_list(api, "Old")
    contact_list = ContactList.objects.get(list_id=body["list_id"])
    members = add_members(api.account, contact_list, 3)
    response = api.delete(f"/contact_lists/{body['list_id']}")
    assert response.status_code == 202
    queued = response.json()
    href = f"/v3/activities/{queued['activity_id']}"
    assert queued["state"] == "initialized" and queued["_links"] == {"self": {"href": href}}
    assert response["Location"].endswith(href)
    activity = Activity.objects.get(activity_id=queued["activity_id"], account=api.account)
    assert activity.kind == ActivityKind.LIST_DELETE and activity.params == {"lists": [contact_list.pk]}
    # Deleted for every reader now: fetched with its deleted_at, out of the default listing, its
    # name free; the memberships wait for the activity.
    assert "deleted_at" in api.get(f"/contact_lists/{body['list_id']}").json()
    assert api.get("/contact_lists").json()["lists"] == []
    make_list(api, "Old")
    assert ListMembership.objects.filter(contact_list=contact_list).count() == 3
    # Deleting again, or updating a deleted list, finds no live list (and queues nothing).
    assert api.delete(f"/contact_lists/{body['list_id']}").status_code == 404
    assert api.put(f"/contact_lists/{body['list_id']}", {"name": "Back"}).status_code == 404
    assert Activity.objects.filter(account=api.account).count() == 1

    activities.process(activity.pk)  # as the worker does (nothing if the suite's worker already has)
    done = api.get(f"/activities/{queued['activity_id']}").json()
    assert done["state"] == "completed" and done["percent_done"] == 100 and done["status"] == {"list_count": 1}
    assert not ListMembership.objects.filter(contact_list=contact_list).exists()
    assert Contact.objects.filter(pk__in=[c.pk for c in members]).count() == 3  # the contacts stay


def test_delete_past_1000_queued_activities_is_a_429_and_leaves_the_list(api: V3Api) -> None:
    body = make_list(api, "Kept")
    Activity.objects.bulk_create([Activity(account=api.account, kind=ActivityKind.CONTACT_EXPORT) for _ in range(1000)])
    response = api.delete(f"/contact_lists/{body['list_id']}")
    assert response.status_code == 429 and error_of(response)["error_key"] == "throttled"
    assert ContactList.objects.get(list_id=body["list_id"]).deleted_at is None


# --- the collection ----------------------------------------------------------------------------


def test_listing_pages_with_cursors_and_filters(api: V3Api) -> None:
    ids = [make_list(api, f"List {i}")["list_id"] for i in range(7)]
    gone = make_list(api, "Gone")["list_id"]
    api.delete(f"/contact_lists/{gone}")

    seen = follow_all(api, "/contact_lists", "lists", {"limit": 3, "include_count": "true"})
    assert [x["list_id"] for x in seen] == ids
    first = api.get("/contact_lists", params={"limit": 3, "include_count": "true"}).json()
    assert first["lists_count"] == 7 and len(first["lists"]) == 3
    assert "include_count=true" in first["_links"]["next"]["href"]

    def names(**params: Any) -> list[str]:
        return [x["name"] for x in follow_all(api, "/contact_lists", "lists", params)]

    assert names(status="deleted") == ["Gone"]
    assert len(names(status="all")) == 8 and len(names(status="active,deleted")) == 8
    assert names(name="list 3") == ["List 3"]
    assert names(name="nothing") == []
    assert "_links" not in api.get("/contact_lists").json()  # one page: no next link
    assert api.get("/contact_lists", params={"channel_type": "email"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "archived"}, "status"),
        ({"status": "active,nope"}, "status"),
        ({"include_membership_count": "most"}, "include_membership_count"),
        ({"include_count": "maybe"}, "include_count"),
        ({"channel_type": "fax"}, "channel_type"),
        ({"cursor": "forged"}, "cursor"),
    ],
)
def test_listing_refuses_bad_parameters(api: V3Api, params: dict[str, Any], name: str) -> None:
    response = api.get("/contact_lists", params=params)
    assert response.status_code == 400
    assert error_of(response)["error_message"].startswith(f"{name}:")


def test_membership_counts(api: V3Api) -> None:
    body = make_list(api, "Members")
    contact_list = ContactList.objects.get(list_id=body["list_id"])
    add_members(api.account, contact_list, 2)  # implicit permission: mailable
    add_members(api.account, contact_list, 1, permission_to_send="unsubscribed")
    add_members(api.account, contact_list, 1, deleted_at=timezone.now())
    add_members(api.account, contact_list, 2, sms_address="+15550100", sms_permission="explicit")
    add_members(api.account, contact_list, 1, sms_address="+15550101", sms_permission="unsubscribed")
    empty = make_list(api, "Empty")

    def counts(**params: Any) -> dict[str, int]:
        lists = api.get("/contact_lists", params=params).json()["lists"]
        return {x["name"]: x["membership_count"] for x in lists}

    assert counts(include_membership_count="all") == {"Members": 6, "Empty": 0}
    assert counts(include_membership_count="active") == {"Members": 5, "Empty": 0}
    sms = {"channel_type": "sms", "include_sms_membership_count": "true"}
    assert counts(**sms) == {"Members": 3, "Empty": 0}
    assert counts(**sms, include_membership_count="active") == {"Members": 2, "Empty": 0}
    # include_sms_membership_count applies only to channel_type=sms.
    plain = api.get("/contact_lists", params={"include_sms_membership_count": "true"}).json()["lists"]
    assert all("membership_count" not in x for x in plain)

    one = api.get(f"/contact_lists/{body['list_id']}", params={"include_membership_count": "active"}).json()
    assert one["membership_count"] == 5
    assert (
        api.get(f"/contact_lists/{empty['list_id']}", params={"include_membership_count": "all"}).json()[
            "membership_count"
        ]
        == 0
    )


def test_membership_counts_take_constant_queries_whatever_the_page_size(
    api: V3Api, django_assert_max_num_queries: Any
) -> None:
    for i in range(12):
        add_members(api.account, ContactList.objects.create(account=api.account, name=f"L{i}"), 2)
    params = {"include_membership_count": "all", "include_count": "true"}

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get("/contact_lists", params={**params, "limit": limit})
        assert len(response.json()["lists"]) == limit
        assert all(x["membership_count"] == 2 for x in response.json()["lists"])
        return len(captured.captured_queries)

    small, large = queries(2), queries(12)
    assert small == large
    with django_assert_max_num_queries(small):
        api.get("/contact_lists", params={**params, "limit": 7})


# --- V2 cross-references ---------------------------------------------------------------------


def test_list_id_xrefs(api: V3Api, other_api: V3Api) -> None:
    mine = [ContactList.objects.create(account=api.account, name=f"X{i}") for i in range(3)]
    theirs = ContactList.objects.create(account=other_api.account, name="Theirs")
    wanted = [mine[2].pk, theirs.pk, mine[0].pk, 999999]
    response = api.get("/contact_lists/list_id_xrefs", params={"sequence_ids": ",".join(map(str, wanted))})
    assert response.status_code == 200
    assert response.json()["xrefs"] == [
        {"sequence_id": str(mine[2].pk), "list_id": str(mine[2].list_id)},
        {"sequence_id": str(mine[0].pk), "list_id": str(mine[0].list_id)},
    ]


@pytest.mark.parametrize(
    "sequence_ids",
    [None, "", "abc", "1,-2", "1.5", "99999999999999999999", ",".join(str(i) for i in range(1, 502))],
)
def test_list_id_xrefs_refuses_bad_ids(api: V3Api, sequence_ids: str | None) -> None:
    params = {} if sequence_ids is None else {"sequence_ids": sequence_ids}
    response = api.get("/contact_lists/list_id_xrefs", params=params)
    assert response.status_code == 400
    assert error_of(response)["error_message"].startswith("sequence_ids:")


def test_scopes_and_privileges_are_enforced(make_api: Any) -> None:
    reader = make_api(scopes=["account_read"])
    response = reader.post("/contact_lists", {"name": "Nope"})
    assert response.status_code == 403
    validate_django_response(response)
    assert json.loads(response.content)[0]["error_key"] == "forbidden"
