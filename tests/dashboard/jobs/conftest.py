"""Helpers for the jobs pages' tests: uploads through the wizard and polling a job until it stops.

The pages run in this process with Django's test client; their V3 client calls the live server
(``tests/dashboard/conftest.py``), and the activities they start are carried out by the real
Celery worker of ``tests/worker.py``. Accounts are given lists and custom fields with the
service's models, as only tests may.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as PageClient
from django.urls import reverse

from apps.jobs.models import Job
from apps.v3.contacts.models import ContactList, CustomField
from tests.worker import CeleryWorker, wait_for

# The worker fixtures, here once for every module: imported into two test modules, the
# session-scoped worker would be set up once per module, two workers on two brokers.

# Imports and exports of a few hundred rows finish in seconds; a minute allows for a slow machine.
FINISH_TIMEOUT = 60.0
HX = {"HTTP_HX_REQUEST": "true"}


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """A CSV file as a spreadsheet saves it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode()


def make_list(account: Any, name: str) -> ContactList:
    """A list of the service-side account."""
    return ContactList.objects.create(account=account, name=name)


def make_custom_field(account: Any, label: str) -> CustomField:
    """A text custom field of the service-side account, named after its label."""
    return CustomField.objects.create(account=account, label=label, name=label.lower().replace(" ", "_"), type="string")


def upload(pages: PageClient, name: str, content: bytes) -> Any:
    """Step 1: post the file."""
    return pages.post(reverse("jobs:import"), {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def token_of(response: Any) -> str:
    """The upload token in the redirect to step 2."""
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/jobs/import/([0-9a-f]{32})/columns/", response["Location"])
    assert match, response["Location"]
    return match[1]


def selected(html: str, column: int) -> str:
    """The option selected for column ``column`` on the mapping page ("" for Don't import)."""
    select = re.search(rf'<select name="column_{column}".*?</select>', html, re.S)
    assert select, f"no select for column {column}"
    option = re.search(r'<option value="([^"]*)"[^>]*selected', select[0])
    return option[1] if option else ""


def job_from(response: Any) -> Job:
    """The job a start redirected to."""
    assert response.status_code == 302, response.content.decode()[:3000]
    match = re.fullmatch(r"/jobs/(\d+)/", response["Location"])
    assert match, response["Location"]
    return Job.objects.get(pk=int(match[1]))


def poll_until_stopped(pages: PageClient, job: Job, worker: CeleryWorker, timeout: float = FINISH_TIMEOUT) -> Any:
    """Poll the job's progress fragment as htmx does until it answers 286; every answer before is a 200.

    Whatever worker carries the activity out (one per test session, or more when other modules
    start their own), only the end is waited for, never a moment in between.
    """
    seen: list[int] = []

    def stopped() -> Any:
        response = pages.get(reverse("jobs:detail", args=[job.pk]), **HX)
        seen.append(response.status_code)
        assert response.status_code in (200, 286), response.content.decode()[:2000]
        return response if response.status_code == 286 else None

    try:
        return wait_for(stopped, timeout, f"job {job.pk} to stop polling", interval=0.2)
    except AssertionError as exc:
        raise AssertionError(f"{exc} (answers {seen[-5:]})\n--- worker log ---\n{worker.log_tail()}") from None
