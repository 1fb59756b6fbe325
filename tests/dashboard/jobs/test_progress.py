"""The job page's progress fragment for each kind of answer: running, failed with errors, forgotten.

The activities are made in the service's tables with the state under test (no worker runs them);
the page reads them through the client like any other.
"""

from __future__ import annotations

from django.urls import reverse

from apps.jobs.models import Job
from apps.v3.models import Activity, ActivityKind, ActivityState
from tests.dashboard.conftest import Connected

from .conftest import HX


def job_for(connected: Connected, activity: Activity, kind: str = Job.Kind.IMPORT) -> Job:
    """The workspace's job for ``activity``."""
    return Job.objects.create(
        workspace=connected.workspace,
        connection=connected.connection,
        kind=kind,
        activity_id=str(activity.activity_id),
        label="people.csv",
        created_by=connected.user,
    )


def test_a_running_job_is_polled_and_its_state_remembered(connected: Connected) -> None:
    activity = Activity.objects.create(
        account=connected.account,
        kind=ActivityKind.FILE_IMPORT,
        state=ActivityState.PROCESSING,
        percent_done=40,
        items_total_count=101,
        person_count=100,
    )
    job = job_for(connected, activity)
    pages = connected.pages()
    page = pages.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    fragment = pages.get(reverse("jobs:detail", args=[job.pk]), **HX)
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text
    assert 'value="40"' in text and "Running" in text and "<dt>Lines in the file</dt>" in text
    job.refresh_from_db()
    assert (job.state, job.percent_done) == ("processing", 40)
    listed = pages.get(reverse("jobs:list")).content.decode()
    assert "Import: people.csv" in listed and "40%" in listed


def test_a_running_export_has_no_file_to_download_yet(connected: Connected) -> None:
    activity = Activity.objects.create(
        account=connected.account, kind=ActivityKind.CONTACT_EXPORT, state=ActivityState.PROCESSING
    )
    job = job_for(connected, activity, Job.Kind.EXPORT)
    pages = connected.pages()
    early = pages.get(reverse("jobs:download", args=[job.pk]), follow=True)
    assert early.redirect_chain == [(reverse("jobs:detail", args=[job.pk]), 302)]
    html = early.content.decode()
    assert "The export&#x27;s file is not ready yet." in html and "Download the CSV file" not in html


def test_a_failed_job_stops_polling_and_lists_its_errors(connected: Connected) -> None:
    activity = Activity.objects.create(
        account=connected.account,
        kind=ActivityKind.FILE_IMPORT,
        state=ActivityState.FAILED,
        percent_done=60,
        activity_errors=["line 2: email 'x' is not a valid email address", "file: the worker gave up"],
    )
    job = job_for(connected, activity)
    fragment = connected.pages().get(reverse("jobs:detail", args=[job.pk]), **HX)
    text = fragment.content.decode()
    assert fragment.status_code == 286 and "hx-trigger" not in text
    assert "Failed" in text and "Problems (2)" in text and "<li>file: the worker gave up</li>" in text
    assert "See the contacts" not in text


def test_an_activity_the_service_forgot_shows_the_last_known_state(connected: Connected) -> None:
    activity = Activity.objects.create(account=connected.account, kind=ActivityKind.CONTACT_EXPORT)
    job = job_for(connected, activity, Job.Kind.EXPORT)
    Job.objects.filter(pk=job.pk).update(state="processing", percent_done=70)
    activity.delete()
    pages = connected.pages()
    fragment = pages.get(reverse("jobs:detail", args=[job.pk]), **HX)
    text = fragment.content.decode()
    assert fragment.status_code == 286
    assert "no longer has this activity" in text and 'value="70"' in text and "Running" in text
    assert pages.get(reverse("jobs:download", args=[job.pk])).status_code == 404
