"""Exports and the activities page, carried out by a real Celery worker process.

An export is started from the dashboard, followed to the end, and its file downloaded through the
dashboard; the activities page lists it with the other activities of the account.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from apps.accounts.models import Role
from apps.accounts.services import ACTIVE_CONNECTION_KEY, client_for_connection
from apps.jobs.models import Job
from apps.jobs.services import renamed_header
from apps.v3.bulk.models import Activity
from apps.v3.bulk.retention import files_kept
from apps.v3.bulk.tasks import sweep_activity_files
from apps.v3.contacts.models import Contact, ListMembership
from tests.dashboard.accounts.factories import ConnectionFactory, WorkspaceMembershipFactory
from tests.dashboard.conftest import Connected, page_text
from tests.worker import CeleryWorker, wait_for

from .conftest import FINISH_TIMEOUT, HX, csv_bytes, job_from, make_list, poll_until_stopped, token_of, upload

pytestmark = pytest.mark.worker


def contacts_on(account: object, contact_list: object, prefix: str, n: int) -> None:
    """``n`` contacts ``{prefix}{i}@example.com`` on the list."""
    contacts = [
        Contact.objects.create(account=account, email_address=f"{prefix}{i}@example.com", first_name=f"{prefix}{i}")
        for i in range(n)
    ]
    ListMembership.objects.bulk_create([ListMembership(contact=c, contact_list=contact_list) for c in contacts])


def test_an_export_runs_and_its_file_downloads_through_the_dashboard(
    worker: CeleryWorker, connected: Connected
) -> None:
    account = connected.account
    members, others = make_list(account, "Members"), make_list(account, "Others")
    contacts_on(account, members, "member", 30)
    contacts_on(account, others, "other", 10)
    pages = connected.pages()

    page = pages.get(reverse("jobs:export"))
    assert page.status_code == 200 and "Members" in page.content.decode()
    assert pages.post(reverse("jobs:export"), {"list_ids": [str(members.list_id)]}).status_code == 400  # no columns

    job = job_from(
        pages.post(
            reverse("jobs:export"),
            {
                "list_ids": [str(members.list_id)],
                "status": "",
                "columns": ["email_address", "first_name"],
                "headers": "words",
            },
        )
    )
    assert job.kind == Job.Kind.EXPORT and job.label == "Contacts on Members (any, except deleted contacts)"
    text = poll_until_stopped(pages, job, worker).content.decode()
    assert "100%" in text and "Completed" in text
    assert f'href="{reverse("jobs:download", args=[job.pk])}"' in text

    download = pages.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "text/csv; charset=utf-8"
    filename = f"contacts-export-{job.created_at:%Y-%m-%d}-{job.pk}.csv"
    assert download["Content-Disposition"] == f'attachment; filename="{filename}"'
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    # The service's file names the columns as the API does; the dashboard's download names them in words.
    assert sorted(rows, key=lambda row: int(row["First name"][6:])) == [
        {"Email address": f"member{i}@example.com", "First name": f"member{i}"} for i in range(30)
    ]

    # Asked for, the API's names stay.
    api_named = job_from(
        pages.post(reverse("jobs:export"), {"status": "", "columns": ["email_address"], "headers": "api"})
    )
    assert api_named.headers == Job.Headers.API
    poll_until_stopped(pages, api_named, worker)
    content = b"".join(pages.get(reverse("jobs:download", args=[api_named.pk])).streaming_content).decode()
    assert content.splitlines()[0] == "email_address" and len(content.splitlines()) == 41


def test_the_header_is_renamed_however_the_file_is_cut_into_pieces() -> None:
    labels = {"email_address": "Email address", "cf:note": "Note, kept"}
    whole = b'email_address,cf:note,other\r\na@example.com,"x, y",z\r\n'
    for size in (1, 5, 40, len(whole)):
        pieces = [whole[i : i + size] for i in range(0, len(whole), size)]
        assert b"".join(renamed_header(pieces, labels)) == (
            b'Email address,"Note, kept",other\r\na@example.com,"x, y",z\r\n'
        )


def test_an_export_whose_file_was_deleted_says_so_and_offers_a_new_one(
    worker: CeleryWorker, connected: Connected
) -> None:
    contacts_on(connected.account, make_list(connected.account, "Members"), "member", 3)
    pages = connected.pages()
    job = job_from(pages.post(reverse("jobs:export"), {"columns": ["email_address"]}))
    poll_until_stopped(pages, job, worker)
    # The service's hourly sweep, run once the file is past its retention period.
    completed = timezone.now() - files_kept() - timedelta(minutes=1)
    Activity.objects.filter(activity_id=job.activity_id).update(completed_at=completed)
    assert sweep_activity_files()["exports"] == 1

    detail, new_export = reverse("jobs:detail", args=[job.pk]), reverse("jobs:export")
    fragment = pages.get(detail, **HX)
    text = page_text(fragment)
    assert fragment.status_code == 286 and "Completed" in text
    assert "The file of this export has been deleted" in text and "kept only for a limited time" in text
    words = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert f"this one completed on {date_format(completed, 'M j, Y')} ." in words
    assert f'<a class="button" href="{new_export}">Start a new export</a>' in text
    assert reverse("jobs:download", args=[job.pk]) not in text
    assert pages.get(new_export).status_code == 200
    download = pages.get(reverse("jobs:download", args=[job.pk]), follow=True)
    assert download.redirect_chain == [(detail, 302)]
    assert "The export's file has been deleted." in page_text(download)

    # A viewer of the workspace is told the same, without the offer they could not take.
    viewer = WorkspaceMembershipFactory(workspace=connected.workspace, role=Role.VIEWER).user
    viewing = connected.pages()
    viewing.force_login(viewer)
    text = page_text(viewing.get(detail))
    assert "The file of this export has been deleted" in text and "new export" not in text

    # With another account active, the form would export that one: the page names the job's instead.
    other = ConnectionFactory(workspace=connected.workspace, organization_name="Other account")
    session = pages.session
    session[ACTIVE_CONNECTION_KEY] = other.pk
    session.save()
    # The section's navigation links the export form on every page; the job's own content offers no link.
    text = page_text(pages.get(detail))
    progress = text.split('id="job-progress"', 1)[1]
    assert new_export not in progress
    assert f"switch to {connected.connection.display_name} and start a new export" in text


def test_the_activities_page_lists_the_accounts_activities(worker: CeleryWorker, connected: Connected) -> None:
    account = connected.account
    pages = connected.pages()
    empty = pages.get(reverse("jobs:list")).content.decode()
    assert "No imports or exports yet." in empty and "No background work on this account in the past days." in empty

    # A job of each kind from the dashboard, and an activity started elsewhere (a list deleted through
    # the API). One after another: on SQLite a write that starts while the worker commits a batch
    # can be refused as "database is locked" (reported to the service's owners).
    doomed = make_list(account, "Old list")
    keep = make_list(account, "Keep")
    token = token_of(upload(pages, "few.csv", csv_bytes(["email"], [["a@example.com"], ["b@example.com"]])))
    pages.post(reverse("jobs:import-map", args=[token]), {"column_0": "email", "action": "continue"})
    imported = job_from(pages.post(reverse("jobs:import-start", args=[token]), {"list_ids": [str(keep.list_id)]}))
    poll_until_stopped(pages, imported, worker)
    exported = job_from(pages.post(reverse("jobs:export"), {"columns": ["email_address"]}))
    poll_until_stopped(pages, exported, worker)
    elsewhere = client_for_connection(connected.connection).bulk_activities.post_list_delete(
        body={"list_ids": [str(doomed.list_id)]}
    )
    activity_url = reverse("jobs:activity", args=[elsewhere["activity_id"]])
    done = wait_for(
        lambda: (r := pages.get(activity_url, **HX)).status_code == 286 and r,
        FINISH_TIMEOUT,
        "the list delete to finish",
        interval=0.2,
    )
    assert "Completed" in done.content.decode()

    html = pages.get(reverse("jobs:list")).content.decode()
    jobs_table, activities_table = html.split('id="activities-title"')
    assert "Import: few.csv" in jobs_table and "Export: All contacts" in jobs_table
    # Activities of jobs open the job; the other one opens its own page.
    for job in (imported, exported):
        assert f'href="{reverse("jobs:detail", args=[job.pk])}"' in activities_table
    assert f'href="{activity_url}"' in activities_table
    assert len(re.findall(r"job-state--completed", activities_table)) == 3

    completed = pages.get(reverse("jobs:list"), {"state": "completed"}).content.decode()
    assert completed.count("job-state--completed") >= 3
    failed = pages.get(reverse("jobs:list"), {"state": "failed"}).content.decode()
    assert "Nothing in this status." in failed
    # An activity of a job opens the job's page; the other shows its own progress.
    job_activity = reverse("jobs:activity", args=[imported.activity_id])
    assert pages.get(job_activity)["Location"] == reverse("jobs:detail", args=[imported.pk])
    page = pages.get(activity_url)
    assert page.status_code == 200 and "100%" in page.content.decode()

    # A page's cursor is only ever the query of GET /activities on the account's own API.
    one = pages.get(reverse("jobs:list"), {"cursor": "limit=1"}).content.decode()
    assert len(re.findall(r"job-state--completed", one.split('id="activities-title"')[1])) == 1
    for elsewhere_href in ("/v3/contacts", "http://elsewhere.example/v3/activities"):
        # Named as a cursor, a path or an origin is a query GET /activities does not know: its first page.
        elsewhere = pages.get(reverse("jobs:list"), {"cursor": elsewhere_href})
        assert elsewhere.status_code == 200
        assert (
            len(re.findall(r"job-state--completed", elsewhere.content.decode().split('id="activities-title"')[1])) == 3
        )
