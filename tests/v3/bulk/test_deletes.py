"""Bulk deletes over HTTP: contact_delete, list_delete, contacts_tags_delete and custom_fields_delete.

The work is run in this process by ``run`` (``tests/v3/bulk/support.py``), so these tests see exactly
what a worker would write; ``test_bulk_worker.py`` runs the same work in a real worker process.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from apps.v3.contacts.models import Contact, ContactList, CustomField, CustomFieldValue, ListMembership, Tag, Tagging
from tests.v3.bulk.support import created, emails, join, make_contacts, make_field, make_list, run, tag
from tests.v3.conftest import V3Api
from tests.v3.support import error_of


def fake_id(i: int) -> str:
    """A well-formed UUID no resource has."""
    return f"00000000-0000-4000-8000-{i:012d}"


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


# --- contacts_tags_delete and custom_fields_delete -------------------------------------------


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
