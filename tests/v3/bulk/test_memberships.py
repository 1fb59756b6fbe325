"""Bulk memberships over HTTP: list adds and removes (add_list_memberships, remove_list_memberships)
and tag adds and removes (contacts_taggings_add, contacts_taggings_remove), from every source.

The work is run in this process by ``run`` (``tests/v3/bulk/support.py``), so these tests see exactly
what a worker would write; ``test_bulk_worker.py`` runs the same work in a real worker process.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from apps.v3.bulk import memberships
from apps.v3.contacts.models import ContactList, ListMembership, Tag, Tagging
from tests.v3.bulk.support import created, email_segment, emails, join, make_contacts, make_list, run, tag
from tests.v3.conftest import V3Api
from tests.v3.support import error_of

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


# --- taggings --------------------------------------------------------------------------------


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
