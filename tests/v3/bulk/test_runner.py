"""The runner behind every activity: claims and leases, batch checkpoints and recovery, the sweep that
re-enqueues, retries and giving up, and the Celery tasks' discovery.

Activities are processed here with ``apps.v3.bulk.handlers.process`` (what the Celery task calls).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.v3.bulk import handlers as activities
from apps.v3.bulk import imports, runner
from apps.v3.bulk.models import Activity, ActivityState
from apps.v3.contacts.models import Contact, ContactList, ListMembership
from tests.v3.bulk.support import created, csv_text, emails, post_file, run
from tests.v3.conftest import V3Api


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
