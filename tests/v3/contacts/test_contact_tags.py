"""Contact Tags: the five operations, their parameters and errors, counts and account isolation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.v3.bulk import handlers as activities
from apps.v3.bulk.models import Activity, ActivityKind
from apps.v3.contacts.models import Contact, Tag, Tagging
from tests.v3.conftest import V3Api
from tests.v3.support import error_of, follow_all


def make_tag(api: V3Api, name: str, **extra: Any) -> dict[str, Any]:
    """Create a tag through the API and return its body."""
    response = api.post("/contact_tags", {"name": name, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def tag_contacts(tag_id: str, n: int, **fields: Any) -> list[Contact]:
    """``n`` new contacts of the tag's account carrying the tag."""
    tag = Tag.objects.get(tag_id=tag_id)
    start = Contact.objects.count()
    contacts = [
        Contact.objects.create(account=tag.account, email_address=f"t{start + i}@example.com", **fields)
        for i in range(n)
    ]
    Tagging.objects.bulk_create([Tagging(contact=c, tag=tag) for c in contacts])
    return contacts


def test_create_read_rename_a_tag(api: V3Api) -> None:
    created = make_tag(api, "Donor", tag_source="Import")
    assert created["name"] == "Donor" and created["tag_source"] == "Import" and "contacts_count" not in created
    tag_id = created["tag_id"]
    assert api.get(f"/contact_tags/{tag_id}").json() == created
    tag_contacts(tag_id, 2)
    tag_contacts(tag_id, 1, deleted_at=timezone.now())
    assert api.get(f"/contact_tags/{tag_id}", params={"include_count": "true"}).json()["contacts_count"] == 2
    renamed = api.put(f"/contact_tags/{tag_id}", {"name": "Big donor"}).json()
    assert renamed["name"] == "Big donor" and renamed["tag_source"] == "Import"
    assert make_tag(api, "Plain").keys() == {"tag_id", "name", "created_at", "updated_at"}


@pytest.mark.parametrize(
    ("method", "body", "field"),
    [
        ("post", {}, "name"),
        ("post", {"name": ""}, "name"),
        ("post", {"name": "  "}, "name"),
        ("post", {"name": "x" * 256}, "name"),
        ("post", {"name": "ok", "tag_source": "s" * 51}, "tag_source"),
        ("post", {"name": "ok", "tag_source": 4}, "tag_source"),
        ("put", {}, "name"),
        ("put", {"name": None}, "name"),
    ],
)
def test_writes_refuse_bad_bodies(api: V3Api, method: str, body: dict[str, Any], field: str) -> None:
    tag_id = make_tag(api, "Existing")["tag_id"]
    path = "/contact_tags" if method == "post" else f"/contact_tags/{tag_id}"
    response = getattr(api, method)(path, body)
    assert response.status_code == 400
    assert field in error_of(response)["error_message"]
    assert list(Tag.objects.filter(account=api.account).values_list("name", flat=True)) == ["Existing"]


def test_malformed_json_and_wrong_content_type(api: V3Api) -> None:
    response = api.post("/contact_tags", raw=b"{", content_type="application/json")
    assert response.status_code == 400 and error_of(response)["error_key"] == "api.malformed_json"
    response = api.post("/contact_tags", raw=b"<tag/>", content_type="application/xml")
    assert response.status_code == 400 and error_of(response)["error_key"] == "api.unsupported_media_type"


def test_names_are_unique(api: V3Api, other_api: V3Api) -> None:
    make_tag(api, "VIP")
    make_tag(other_api, "Twin")  # names are per account
    assert api.post("/contact_tags", {"name": "VIP"}).status_code == 409
    other = make_tag(api, "Twin")
    response = api.put(f"/contact_tags/{other['tag_id']}", {"name": "VIP"})
    assert response.status_code == 409 and "VIP" in error_of(response)["error_message"]
    assert api.put(f"/contact_tags/{other['tag_id']}", {"name": "Twin"}).status_code == 200


def test_delete_hides_the_tag_at_once_and_queues_a_tags_delete_activity(api: V3Api) -> None:
    tag_id = make_tag(api, "Temp")["tag_id"]
    contacts = tag_contacts(tag_id, 3)
    response = api.delete(f"/contact_tags/{tag_id}")
    assert response.status_code == 202
    queued = response.json()
    href = f"/v3/activities/{queued['activity_id']}"
    assert queued["state"] == "initialized" and queued["_links"] == {"self": {"href": href}}
    assert queued["status"] == {"items_total_count": 1, "items_completed_count": 0}
    assert queued["activity_errors"] == []
    activity = Activity.objects.get(activity_id=queued["activity_id"], account=api.account)
    assert activity.kind == ActivityKind.TAG_DELETE
    # Gone for every reader now (its name free again); the taggings wait for the activity.
    assert api.get(f"/contact_tags/{tag_id}").status_code == 404
    assert api.get("/contact_tags").json()["tags"] == []
    contact = api.get(f"/contacts/{contacts[0].contact_id}", params={"include": "taggings"}).json()
    assert contact.get("taggings", []) == []
    make_tag(api, "Temp")
    assert Tagging.objects.filter(tag__tag_id=tag_id).count() == 3
    assert api.delete(f"/contact_tags/{tag_id}").status_code == 404
    assert api.put(f"/contact_tags/{tag_id}", {"name": "Back"}).status_code == 404

    activities.process(activity.pk)  # as the worker does (nothing if the suite's worker already has)
    done = api.get(f"/activities/{queued['activity_id']}").json()
    assert done["state"] == "completed" and done["status"] == {"items_total_count": 1, "items_completed_count": 1}
    assert not Tag.objects.filter(tag_id=tag_id).exists() and not Tagging.objects.exists()
    assert Contact.objects.filter(pk__in=[c.pk for c in contacts]).count() == 3


def test_delete_past_1000_queued_activities_is_a_429_and_leaves_the_tag(api: V3Api) -> None:
    tag_id = make_tag(api, "Kept")["tag_id"]
    Activity.objects.bulk_create([Activity(account=api.account, kind=ActivityKind.CONTACT_EXPORT) for _ in range(1000)])
    response = api.delete(f"/contact_tags/{tag_id}")
    assert response.status_code == 429 and error_of(response)["error_key"] == "throttled"
    assert Tag.objects.get(tag_id=tag_id).deleted_at is None


def test_listing_pages_and_counts(api: V3Api, other_api: V3Api) -> None:
    ids = [make_tag(api, f"T{i}")["tag_id"] for i in range(5)]
    make_tag(other_api, "Not mine")
    tag_contacts(ids[1], 2)
    seen = follow_all(api, "/contact_tags", "tags", {"limit": 2, "include_count": "true"})
    assert [t["tag_id"] for t in seen] == ids
    assert [t["contacts_count"] for t in seen] == [0, 2, 0, 0, 0]
    assert all("contacts_count" not in t for t in api.get("/contact_tags").json()["tags"])


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"include_count": "2"}, "include_count"),
        ({"cursor": "x"}, "cursor"),
    ],
)
def test_listing_refuses_bad_parameters(api: V3Api, params: dict[str, Any], name: str) -> None:
    response = api.get("/contact_tags", params=params)
    assert response.status_code == 400 and error_of(response)["error_message"].startswith(f"{name}:")


def test_counts_take_constant_queries_whatever_the_page_size(api: V3Api) -> None:
    for i in range(10):
        tag_contacts(str(Tag.objects.create(account=api.account, name=f"N{i}").tag_id), 1)

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            tags = api.get("/contact_tags", params={"limit": limit, "include_count": "true"}).json()["tags"]
        assert [t["contacts_count"] for t in tags] == [1] * limit
        return len(captured.captured_queries)

    assert queries(2) == queries(10)
