"""Bulk activities carried out by a real Celery worker process, including one killed mid-import.

The worker (``tests/worker.py``) runs on the test database with a Redis broker; these tests post
through the API, then poll the activity until it finishes, with a deadline.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from apps.v3.bulk import runner
from apps.v3.bulk.models import Activity, ActivityKind, ActivityState
from apps.v3.contacts.models import Contact, CustomField, CustomFieldValue, ListMembership, Tag, Tagging
from tests.v3.bulk.support import created, csv_text, download, join, make_contacts, make_list, post_file, tag
from tests.v3.conftest import V3Api
from tests.worker import CeleryWorker, wait_for

pytestmark = pytest.mark.worker

FINISHED = (ActivityState.COMPLETED, ActivityState.FAILED, ActivityState.TIMED_OUT, ActivityState.CANCELLED)


def finished(activity: Activity, worker: CeleryWorker, timeout: float = 60.0) -> Activity:
    """Poll the activity until it is finished; fail with the worker's log if it is not in time."""

    def done() -> Activity | None:
        current = Activity.objects.get(pk=activity.pk)
        return current if current.state in FINISHED else None

    try:
        return wait_for(done, timeout, f"activity {activity.activity_id} to finish")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker log ---\n{worker.log_tail()}") from None


def people_csv(n: int, start: int = 0) -> str:
    """A CSV of ``n`` contacts with a custom field column."""
    rows = [[f"person{i}@example.com", f"First{i}", f"Last{i}", f"plan-{i % 7}"] for i in range(start, start + n)]
    return csv_text(["email", "first_name", "last_name", "cf:plan"], *rows)


def test_an_import_and_an_export_run_in_the_worker(worker: CeleryWorker, api: V3Api) -> None:
    lists = [make_list(api.account, f"W{i}") for i in range(2)]
    CustomField.objects.create(account=api.account, label="plan", name="plan", type="string")
    response = post_file(api, people_csv(250), ",".join(str(lst.list_id) for lst in lists))
    activity = finished(created(response), worker)
    body = api.get(f"/activities/{activity.activity_id}").json()
    assert body["state"] == "completed" and body["percent_done"] == 100, body
    assert body["status"]["person_count"] == 250 and body["status"]["error_count"] == 0
    assert Contact.objects.filter(account=api.account).count() == 250
    assert CustomFieldValue.objects.filter(contact__account=api.account).count() == 250
    assert ListMembership.objects.filter(contact_list__in=lists).count() == 500

    export = finished(
        created(api.post("/activities/contact_exports", {"fields": ["email_address", "cf:plan"]})), worker
    )
    assert export.state == ActivityState.COMPLETED
    rows = list(csv.DictReader(io.StringIO(download(api, f"/contact_exports/{export.activity_id}"))))
    assert len(rows) == 250 and rows[0] == {"email_address": "person0@example.com", "cf:plan": "plan-0"}


def test_membership_and_delete_activities_run_in_the_worker(worker: CeleryWorker, api: V3Api) -> None:
    people = make_contacts(api.account, 30)
    target = make_list(api.account, "Target")
    add = {"list_ids": [str(target.list_id)], "source": {"all_active_contacts": True}}
    assert finished(created(api.post("/activities/add_list_memberships", add)), worker).state == "completed"
    assert ListMembership.objects.filter(contact_list=target).count() == 30
    delete = {"list_ids": [str(target.list_id)]}
    assert finished(created(api.post("/activities/contact_delete", delete)), worker).state == "completed"
    assert not Contact.objects.filter(pk__in=[p.pk for p in people], deleted_at__isnull=True).exists()


def test_a_list_and_a_tag_deleted_one_by_one_are_emptied_by_the_worker(
    worker: CeleryWorker, api: V3Api, other_api: V3Api
) -> None:
    people = make_contacts(api.account, 40)
    doomed, kept = make_list(api.account, "Doomed"), make_list(api.account, "Kept")
    join(people, doomed, kept)
    vip = Tag.objects.create(account=api.account, name="vip")
    tag(people, vip)
    theirs = make_list(other_api.account, "Theirs")
    join(make_contacts(other_api.account, 2, prefix="o"), theirs)
    # Another account's list or tag is not found, and nothing is queued for it.
    assert api.delete(f"/contact_lists/{theirs.list_id}").status_code == 404
    assert other_api.delete(f"/contact_tags/{vip.tag_id}").status_code == 404

    list_delete = created(api.delete(f"/contact_lists/{doomed.list_id}"), 202)
    tag_delete = created(api.delete(f"/contact_tags/{vip.tag_id}"), 202)
    for activity in (list_delete, tag_delete):
        assert finished(activity, worker).state == ActivityState.COMPLETED
        body = api.get(f"/activities/{activity.activity_id}").json()
        assert body["state"] == "completed" and body["percent_done"] == 100, body
    assert not ListMembership.objects.filter(contact_list=doomed).exists()
    assert ListMembership.objects.filter(contact_list=kept).count() == 40
    assert not Tag.objects.filter(pk=vip.pk).exists() and not Tagging.objects.exists()
    assert ListMembership.objects.filter(contact_list=theirs).count() == 2
    assert Contact.objects.filter(account=api.account, deleted_at__isnull=True).count() == 40
    assert Activity.objects.filter(account=other_api.account).count() == 0


def test_a_killed_worker_is_replaced_and_the_import_finishes_exactly(worker: CeleryWorker, api: V3Api) -> None:
    rows = 20_000
    lists = [make_list(api.account, f"K{i}") for i in range(2)]
    CustomField.objects.create(account=api.account, label="plan", name="plan", type="string")
    activity = created(post_file(api, people_csv(rows), ",".join(str(lst.list_id) for lst in lists)))

    def midway() -> Activity | None:
        current = Activity.objects.get(pk=activity.pk)
        assert current.state != ActivityState.COMPLETED, "the import finished before the worker could be killed"
        return current if 0 < current.percent_done < 100 else None

    at_kill = wait_for(midway, 120, "the import to be under way")
    killed_pid = worker.pid
    worker.kill()
    assert Activity.objects.get(pk=activity.pk).lease_owner.split(":")[1] == str(killed_pid)
    # A new worker finds the dead worker's activity when it starts (no broker redelivery needed).
    worker.start()
    done = finished(activity, worker, timeout=180)
    assert done.state == ActivityState.COMPLETED, done.activity_errors
    assert done.attempts == 2 and done.checkpoint == rows
    assert at_kill.checkpoint < rows
    contacts = Contact.objects.filter(account=api.account)
    assert contacts.count() == rows
    assert not contacts.values("email_address").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert CustomFieldValue.objects.filter(contact__account=api.account).count() == rows
    assert ListMembership.objects.filter(contact_list__in=lists).count() == rows * len(lists)
    assert (done.person_count, done.error_count, done.correctable_count) == (rows, 0, 0)
    assert done.activity_errors == []


def test_an_activity_whose_message_was_lost_is_run_when_a_worker_starts(worker: CeleryWorker, api: V3Api) -> None:
    make_contacts(api.account, 3)
    # As if the broker had lost the message: a queued activity nobody was told about.
    lost = Activity.objects.create(
        account=api.account,
        kind=ActivityKind.CONTACT_EXPORT,
        params={"fields": ["email_address"]},
        enqueued_at=timezone.now() - runner.REQUEUE_AFTER - timedelta(seconds=1),
    )
    worker.stop()
    worker.start()
    done = finished(lost, worker)
    assert done.state == ActivityState.COMPLETED and done.items_completed_count == 3
