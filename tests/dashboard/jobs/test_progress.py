"""The job page's progress fragment for each kind of answer: running, failed with errors, forgotten,
and a poll that meets a busy or silent service.

The activities are made in the service's tables with the state under test (no worker runs them);
the page reads them through the client like any other. Trouble is the service's own: its rate
limits lowered, or the connection pointed at a port nobody listens on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import Client as PageClient
from django.urls import reverse

from apps.jobs.models import Job
from apps.v3.bulk.models import Activity, ActivityKind, ActivityState
from tests.dashboard.conftest import Connected

from .conftest import HX

# The live region a poll that meets trouble writes its note into.
RETRY_NOTE = re.compile(r'^<span id="job-progress-retry" hx-swap-oob="innerHTML">([^<]*)</span>$')
CLEARED_NOTE = '<p id="job-progress-retry" hx-swap-oob="innerHTML"></p>'


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


# --- Polls that meet trouble ----------------------------------------------------------------------


def running_activity(connected: Connected) -> Activity:
    return Activity.objects.create(
        account=connected.account, kind=ActivityKind.FILE_IMPORT, state=ActivityState.PROCESSING, percent_done=30
    )


def poll_of(pages: PageClient, url: str) -> dict[str, str]:
    """Open the page and return what its polling element adds to htmx's headers, as the test client takes them."""
    page = pages.get(url).content.decode()
    assert (
        'hx-trigger="every 1s"' in page
        and '<p id="job-progress-retry" class="job-progress__retry" aria-live="polite">' in page
    )
    found = re.search(r"<section id=\"job-progress\"[^>]*hx-headers='([^']*)'", page)
    assert found, "the polling element sends no headers of its own"
    headers: dict[str, str] = json.loads(found[1])
    return HX | {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


def note(response: Any) -> str:
    """The text of the note a troubled poll sends for the live region; fails if it sends anything else."""
    found = RETRY_NOTE.match(response.content.decode().strip())
    assert found, response.content.decode()
    return found[1]


def test_a_throttled_poll_swaps_nothing_and_polling_goes_on(
    connected: Connected, pages: PageClient, settings: Any
) -> None:
    url = reverse("jobs:activity", args=[running_activity(connected).activity_id])
    poll = poll_of(pages, url)
    settings.V3_RATE_LIMIT_PER_SECOND = 0  # the service throttles every call, through the client's retries

    throttled = pages.get(url, **poll)

    assert throttled.status_code == 200, "not 286: the next poll goes out as usual"
    assert throttled["HX-Reswap"] == "none" and "HX-Retarget" not in throttled
    assert note(throttled) == "Constant Contact is busy: checking again…"
    settings.V3_RATE_LIMIT_PER_SECOND = 100_000
    answered = pages.get(url, **poll).content.decode()
    assert 'id="job-progress"' in answered and 'value="30"' in answered
    assert answered.rstrip().endswith(CLEARED_NOTE), "the next answer empties the note"


def test_a_poll_the_service_does_not_answer_swaps_nothing(connected: Connected, pages: PageClient) -> None:
    job = job_for(connected, running_activity(connected))
    url = reverse("jobs:detail", args=[job.pk])
    poll = poll_of(pages, url)
    # Port 9 (discard) refuses connections on the test machines: the service is unreachable.
    connected.connection.api_base_url = "http://127.0.0.1:9/v3"
    connected.connection.save(update_fields=["api_base_url"])

    silent = pages.get(url, **poll)

    assert silent.status_code == 200 and silent["HX-Reswap"] == "none"
    assert note(silent) == "Constant Contact did not answer: checking again…"
    # Without the poll's header the same request is one a person made: the notice takes the content.
    clicked = pages.get(url, **HX, HTTP_HX_CURRENT_URL=f"http://testserver{url}")
    assert clicked.status_code == 200 and clicked["HX-Retarget"] == "#content"
    assert "Constant Contact did not answer" in clicked.content.decode()


def test_a_poll_over_the_daily_quota_stops_and_says_why(connected: Connected, pages: PageClient, settings: Any) -> None:
    url = reverse("jobs:activity", args=[running_activity(connected).activity_id])
    poll = poll_of(pages, url)
    settings.V3_RATE_LIMIT_PER_DAY = 0  # every call is over the day's quota, which no retry fixes

    spent = pages.get(url, **poll)

    assert spent.status_code == 286 and spent["HX-Reswap"] == "none"
    assert "no more requests today" in note(spent) and "Reload it tomorrow" in note(spent)


def test_a_poll_names_only_an_element_id_for_its_note(connected: Connected, pages: PageClient, settings: Any) -> None:
    url = reverse("jobs:activity", args=[running_activity(connected).activity_id])
    settings.V3_RATE_LIMIT_PER_DAY = 0
    odd = pages.get(url, **HX, HTTP_CTCTDASH_POLL='x" onmouseover="alert(1)')
    assert odd.status_code == 286 and odd["HX-Reswap"] == "none" and odd.content.strip() == b""
