"""The jobs table pages like every listing (Next, Previous, First page), by the last job of the page before."""

from __future__ import annotations

import re
from datetime import timedelta

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from apps.jobs.models import Job
from apps.jobs.services import JOBS_PAGE
from tests.dashboard.conftest import Connected, page_text, pager_link

JOBS = reverse("jobs:list")


def jobs_of(connected: Connected, count: int) -> None:
    """``count`` finished exports ``job 000`` ..., newest first, two of them started at each minute.

    Made oldest first, so within a minute the newer has the higher id, as the table's order wants;
    with 25 a page, a page ends between two jobs of one minute.
    """
    now = timezone.now()
    for n in reversed(range(count)):
        job = Job.objects.create(
            workspace=connected.workspace,
            connection=connected.connection,
            kind=Job.Kind.EXPORT,
            activity_id=f"activity-{n:03d}",
            label=f"job {n:03d}",
            state="completed",
        )
        # auto_now_add stamps every one with now; the table orders by start time, then by id.
        Job.objects.filter(pk=job.pk).update(created_at=now - timedelta(minutes=1 + n // 2))


def labels(response: HttpResponse) -> list[str]:
    """The jobs table's job labels, in order."""
    jobs_table = page_text(response).split('id="activities-title"')[0]
    return re.findall(r"Export: (job \d{3})</a>", jobs_table)


def test_the_jobs_table_goes_forward_and_back_a_page_at_a_time(connected: Connected) -> None:
    jobs_of(connected, JOBS_PAGE * 2 + 3)
    pages = connected.pages()

    first = pages.get(JOBS)
    assert labels(first) == [f"job {n:03d}" for n in range(JOBS_PAGE)]
    assert pager_link(first, "prev") is None and "First page" not in page_text(first)
    second_url = pager_link(first, "next")
    assert second_url and "jobs_cursor=" in second_url, "apart from the activities' own cursor"

    second = pages.get(second_url)
    assert labels(second) == [f"job {n:03d}" for n in range(JOBS_PAGE, JOBS_PAGE * 2)]
    assert "Page 2" in page_text(second)
    # A job started meanwhile does not shift the later pages: they continue after the last row shown.
    Job.objects.create(
        workspace=connected.workspace, connection=connected.connection, kind=Job.Kind.EXPORT, activity_id="new"
    )
    third = pages.get(pager_link(second, "next") or "")
    assert labels(third) == [f"job {n:03d}" for n in range(JOBS_PAGE * 2, JOBS_PAGE * 2 + 3)]
    assert pager_link(third, "next") is None

    back = pages.get(pager_link(third, "prev") or "")
    assert labels(back) == labels(second)


def test_a_jobs_cursor_that_names_no_job_of_the_workspace_starts_again(connected: Connected) -> None:
    jobs_of(connected, 2)
    pages = connected.pages()

    for stale in ("999999", "not-a-job", "9" * 40):
        response = pages.get(JOBS, {"jobs_cursor": stale})
        assert response.status_code == 200
        assert labels(response) == ["job 000", "job 001"]
        assert "That page link has expired" in page_text(response)
