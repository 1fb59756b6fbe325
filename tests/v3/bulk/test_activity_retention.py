"""Retention of bulk-activity files: the hourly sweep, and what the API answers once a file is gone.

The sweep runs here as the beat task's own function, on the real default storage; time is moved
by writing ``completed_at`` in the database, never by waiting.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.v3.bulk import handlers as activities
from apps.v3.bulk import retention, runner
from apps.v3.bulk.files import storage_name
from apps.v3.bulk.models import Activity, ActivityState
from apps.v3.bulk.tasks import sweep_activity_files
from tests.v3.bulk.support import created, csv_text, download, make_contacts, make_list, post_file, run
from tests.v3.conftest import V3Api
from tests.v3.support import error_of

NOTHING = {"uploads": 0, "exports": 0, "files": 0}


def finished_ago(activity: Activity, age: timedelta, state: str = ActivityState.COMPLETED) -> None:
    """Mark the activity finished ``age`` ago, as the runner's ``finish`` would have."""
    Activity.objects.filter(pk=activity.pk).update(state=state, completed_at=timezone.now() - age, lease_owner="")


def completed_export(api: V3Api) -> Activity:
    """An export of one contact, run to completion; its file is stored."""
    make_contacts(api.account, 1, prefix=f"{api.account.encoded_account_id}-{uuid.uuid4().hex[:8]}-")
    activity = created(api.post("/activities/contact_exports", {}))
    assert run(api, activity)["state"] == "completed"
    activity.refresh_from_db()
    assert default_storage.exists(activity.result_file)
    return activity


def file_import(api: V3Api) -> Activity:
    """A queued file import whose upload is stored."""
    contact_list = make_list(api.account, f"Imports {uuid.uuid4().hex}")
    activity = created(post_file(api, csv_text(["email"], ["a@example.com"]), str(contact_list.list_id)))
    assert default_storage.exists(activity.source_file)
    return activity


def json_import(api: V3Api) -> Activity:
    """A queued JSON import whose payload is stored."""
    contact_list = make_list(api.account, f"JSON imports {uuid.uuid4().hex}")
    body = {"import_data": [{"email": "j@example.com"}], "list_ids": [str(contact_list.list_id)]}
    activity = created(api.post("/activities/contacts_json_import", raw=json.dumps(body)))
    assert default_storage.exists(activity.source_file)
    return activity


def test_an_export_file_is_served_until_its_retention_ends_then_a_404(api: V3Api) -> None:
    kept = retention.files_kept()
    activity = completed_export(api)
    path = f"/contact_exports/{activity.activity_id}"
    finished_ago(activity, kept - timedelta(minutes=1))
    assert sweep_activity_files() == NOTHING
    assert download(api, path).startswith("contact_id,")
    links = api.get(f"/activities/{activity.activity_id}").json()["_links"]
    assert links["results"]["href"] == "/v3" + path

    finished_ago(activity, kept + timedelta(minutes=1))
    assert sweep_activity_files() == {"uploads": 0, "exports": 1, "files": 1}
    assert not default_storage.exists(activity.result_file)
    gone = api.get(path)  # the client checks the 404 and its envelope against getContactsExport
    assert gone.status_code == 404
    error = error_of(gone)
    assert error["error_key"] == "api.resource.not_found"
    assert "was deleted" in error["error_message"] and f"kept {kept.days} days" in error["error_message"]
    body = api.get(f"/activities/{activity.activity_id}").json()
    assert body["state"] == "completed" and "results" not in body["_links"]
    assert body["status"] == {"items_total_count": 1, "items_completed_count": 1}

    # A second sweep finds nothing to do and changes nothing.
    assert sweep_activity_files() == NOTHING
    assert api.get(path).status_code == 404


def test_the_sweep_also_takes_files_an_interrupted_attempt_left_in_the_folder(api: V3Api) -> None:
    activity = completed_export(api)
    # An attempt that stored its file and then lost its batch leaves an unreferenced copy.
    stray = default_storage.save(storage_name(activity, "contacts.csv"), ContentFile(b"contact_id\n"))
    assert stray != activity.result_file
    finished_ago(activity, retention.files_kept() + timedelta(hours=1))
    assert sweep_activity_files()["files"] == 2
    assert not default_storage.exists(stray) and not default_storage.exists(activity.result_file)
    folder = storage_name(activity, "").rstrip("/")
    assert not default_storage.exists(folder)  # the emptied folder is removed too


def test_a_file_missing_from_storage_is_a_404_not_a_500(api: V3Api) -> None:
    activity = completed_export(api)
    default_storage.delete(activity.result_file)
    response = api.get(f"/contact_exports/{activity.activity_id}")
    assert response.status_code == 404 and "was deleted" in error_of(response)["error_message"]


def test_uploads_go_once_an_import_completes_and_never_while_it_runs(api: V3Api) -> None:
    running = file_import(api)
    Activity.objects.filter(pk=running.pk).update(
        state=ActivityState.PROCESSING,
        lease_owner="elsewhere:1:x",
        heartbeat_at=timezone.now(),
        created_at=timezone.now() - timedelta(days=365),
    )
    queued = json_import(api)
    Activity.objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(days=365))
    # Completed, but the task's own delete did not happen (a worker killed right after the commit).
    leftover = file_import(api)
    finished_ago(leftover, timedelta(0))
    done = json_import(api)
    upload = done.source_file
    run(api, done)
    done.refresh_from_db()
    assert done.state == ActivityState.COMPLETED and not default_storage.exists(upload)

    # The task cleared the upload's name once it had deleted the file, and its emptied folder is gone,
    # so the sweep visits only the leftover.
    assert done.source_file == "" and not default_storage.exists(storage_name(done, "").rstrip("/"))
    assert sweep_activity_files() == {"uploads": 1, "exports": 0, "files": 1}
    assert not default_storage.exists(leftover.source_file)
    assert default_storage.exists(running.source_file) and default_storage.exists(queued.source_file)
    assert Activity.objects.get(pk=running.pk).source_file == running.source_file
    assert sweep_activity_files() == NOTHING


def test_a_failed_or_timed_out_import_keeps_its_upload_for_the_retention_period(api: V3Api) -> None:
    kept = retention.files_kept()
    failed, timed_out = file_import(api), json_import(api)
    finished_ago(failed, kept - timedelta(minutes=1), ActivityState.FAILED)
    finished_ago(timed_out, kept - timedelta(minutes=1), ActivityState.TIMED_OUT)
    assert sweep_activity_files() == NOTHING
    assert default_storage.exists(failed.source_file) and default_storage.exists(timed_out.source_file)
    finished_ago(failed, kept + timedelta(minutes=1), ActivityState.FAILED)
    finished_ago(timed_out, kept + timedelta(minutes=1), ActivityState.TIMED_OUT)
    assert sweep_activity_files() == {"uploads": 2, "exports": 0, "files": 2}
    assert not default_storage.exists(failed.source_file) and not default_storage.exists(timed_out.source_file)
    assert sweep_activity_files() == NOTHING


def test_a_failed_or_timed_out_export_loses_the_file_it_stored_after_the_retention_period(
    api: V3Api,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    kept = retention.files_kept()
    make_contacts(api.account, 3, prefix="stored-")
    failed = created(api.post("/activities/contact_exports", {}))
    timed_out = created(api.post("/activities/contact_exports", {}))
    # Permissions given as text (as an environment variable reads) make the file storage fail
    # after it has written the file: the batch that would record the file rolls back.
    settings.FILE_UPLOAD_PERMISSIONS = "0o644"
    for activity in (failed, timed_out):
        with pytest.raises(TypeError):
            activities.process(activity.pk)
        assert default_storage.listdir(storage_name(activity, "").rstrip("/"))[1] == ["contacts.csv"]
    # The task fails one after its retries; the other is given up on when next claimed, too old.
    runner.fail(failed.pk, "The activity failed because of an internal error.")
    Activity.objects.filter(pk=timed_out.pk).update(created_at=timezone.now() - runner.TIME_LIMIT)
    assert run(api, timed_out)["state"] == "timed_out"
    for activity in (failed, timed_out):
        activity.refresh_from_db()
        assert activity.state in (ActivityState.FAILED, ActivityState.TIMED_OUT)
        # Named before it was stored: how the sweep knows there may be a file.
        assert activity.result_file == storage_name(activity, "contacts.csv")
        assert (
            f"state {activity.state}" in error_of(api.get(f"/contact_exports/{activity.activity_id}"))["error_message"]
        )
        assert "results" not in api.get(f"/activities/{activity.activity_id}").json()["_links"]

    # Nothing serves them, but like a failed import's upload they stay while the failure is fresh.
    assert sweep_activity_files() == NOTHING
    assert default_storage.exists(failed.result_file) and default_storage.exists(timed_out.result_file)
    finished_ago(failed, kept + timedelta(minutes=1), ActivityState.FAILED)
    finished_ago(timed_out, kept + timedelta(minutes=1), ActivityState.TIMED_OUT)
    assert sweep_activity_files() == {"uploads": 0, "exports": 2, "files": 2}
    for activity in (failed, timed_out):
        assert not default_storage.exists(storage_name(activity, "").rstrip("/"))
        assert Activity.objects.get(pk=activity.pk).result_file == ""
    assert sweep_activity_files() == NOTHING


def test_another_accounts_files_are_untouched(api: V3Api, other_api: V3Api) -> None:
    kept = retention.files_kept()
    mine = completed_export(api)
    theirs = completed_export(other_api)
    their_import = file_import(other_api)
    finished_ago(their_import, kept - timedelta(minutes=1), ActivityState.FAILED)
    finished_ago(mine, kept + timedelta(minutes=1))
    finished_ago(theirs, kept - timedelta(minutes=1))
    assert sweep_activity_files() == {"uploads": 0, "exports": 1, "files": 1}
    assert download(other_api, f"/contact_exports/{theirs.activity_id}").startswith("contact_id,")
    assert default_storage.exists(their_import.source_file)
    assert api.get(f"/contact_exports/{mine.activity_id}").status_code == 404
    # Their export is still theirs only, deleted or not.
    assert api.get(f"/contact_exports/{theirs.activity_id}").status_code == 404


def test_the_retention_period_comes_from_settings(api: V3Api, settings) -> None:  # type: ignore[no-untyped-def]
    activity = completed_export(api)
    finished_ago(activity, timedelta(days=2, minutes=1))
    assert sweep_activity_files() == NOTHING
    settings.V3_ACTIVITY_FILES_KEPT_DAYS = 2
    assert sweep_activity_files()["exports"] == 1
    assert "kept 2 days" in error_of(api.get(f"/contact_exports/{activity.activity_id}"))["error_message"]


def test_beat_runs_the_sweep_hourly() -> None:
    from ctctdash.celery import app

    entry = app.conf.beat_schedule["v3: delete expired bulk activity files"]
    assert entry["task"] == "v3.activities.sweep_files" and entry["schedule"] == 3600.0
