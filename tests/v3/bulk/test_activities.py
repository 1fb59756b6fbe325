"""Reading activities (GET /activities and /activities/{id}), the limit of 1,000 queued per account
(429), and the scope and privilege every activity needs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from apps.v3.bulk.models import Activity, ActivityKind, ActivityState
from tests.v3.bulk.support import created, make_contacts, make_list, post_file, run
from tests.v3.conftest import V3Api
from tests.v3.support import error_of


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
