"""The import wizard end to end: upload, automatic matches, preview, lists, start, progress polled to 286.

The import is carried out by a real Celery worker process; the contacts are then looked up in the
service's own tables.
"""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from apps.jobs.models import Job
from apps.v3.contacts.models import Contact, ContactList, CustomFieldValue, ListMembership
from tests.dashboard.conftest import Connected
from tests.worker import CeleryWorker

from .conftest import (
    HX,
    csv_bytes,
    job_from,
    make_custom_field,
    make_list,
    poll_until_stopped,
    selected,
    token_of,
    upload,
)

pytestmark = pytest.mark.worker

HEADER = ["E-mail Address", "Given name", "Surname", "Plan", "Birthday", "Notes"]


def people(n: int) -> list[list[str]]:
    """``n`` rows under :data:`HEADER`."""
    return [
        [f"person{i}@example.com", f"First{i}", f"Last{i}", f"plan-{i % 3}", f"{1 + i % 12}/{1 + i % 28}", "x"]
        for i in range(n)
    ]


def test_an_import_from_upload_to_the_contacts_in_the_service(worker: CeleryWorker, connected: Connected) -> None:
    account = connected.account
    newsletter = make_list(account, "Newsletter")
    make_list(account, "Customers")
    make_custom_field(account, "Plan")
    pages = connected.pages()

    # Step 1: the file is checked and kept in default storage under the workspace's path.
    token = token_of(upload(pages, "people.csv", csv_bytes(HEADER, people(120))))
    stored = f"jobs/imports/{connected.workspace.pk}/{token}.csv"
    assert default_storage.exists(stored)

    # Step 2: headers are matched to fields and custom fields; the preview shows the first rows.
    map_url = reverse("jobs:import-map", args=[token])
    page = pages.get(map_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert [selected(html, i) for i in range(6)] == ["email", "first_name", "last_name", "cf:plan", "birthday", ""]
    assert "120 contacts in 6 columns" in html
    assert "person4@example.com" in html and "person5@example.com" not in html  # five rows previewed
    assert "<td>5/5</td>" in html  # the birthday as it will be imported

    chosen = {f"column_{i}": key for i, key in enumerate(["email", "first_name", "last_name", "cf:plan", "birthday"])}
    # An htmx change answers the preview fragment alone, with what is wrong with the choice.
    fragment = pages.post(map_url, {**chosen, "column_0": "", "action": "preview"}, **HX)
    text = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in text and 'id="import-preview"' in text
    assert "Choose the column that holds the email address" in text and "person0@example.com" not in text
    # Without JavaScript, Continue with a bad choice comes back with the problem.
    refused = pages.post(map_url, {**chosen, "column_1": "email", "action": "continue"})
    assert refused.status_code == 400
    assert "Email address is chosen for more than one column" in refused.content.decode()
    moved = pages.post(map_url, {**chosen, "action": "continue"})
    assert moved.status_code == 302 and moved["Location"] == reverse("jobs:import-start", args=[token])

    # Step 3: the account's lists; no list chosen is refused.
    start_url = reverse("jobs:import-start", args=[token])
    page = pages.get(start_url)
    html = page.content.decode()
    assert "Newsletter" in html and "Customers" in html and "<dd>Plan</dd>" in html
    assert pages.post(start_url, {}).status_code == 400

    job = job_from(pages.post(start_url, {"list_ids": [str(newsletter.list_id)]}))
    assert (job.kind, job.workspace_id, job.connection_id) == (
        Job.Kind.IMPORT,
        connected.workspace.pk,
        connected.connection.pk,
    )
    assert job.created_by == connected.user and job.label == "people.csv"
    assert not default_storage.exists(stored)  # deleted once the import started
    assert "The import of people.csv has started." in pages.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    # The fragment answers 200 while the activity runs (test_progress.py pins that down without a
    # worker's timing), and 286 with the final state once it is done.
    done = poll_until_stopped(pages, job, worker)
    text = done.content.decode()
    assert "<html" not in text and "hx-trigger" not in text
    assert "100%" in text and "Completed" in text and "Contacts in the file" in text
    job.refresh_from_db()
    assert (job.state, job.percent_done) == ("completed", 100)

    contacts = Contact.objects.filter(account=account)
    assert contacts.count() == 120
    person = contacts.get(email_address="person13@example.com")
    assert (person.first_name, person.last_name, person.birthday_month, person.birthday_day) == (
        "First13",
        "Last13",
        2,
        14,
    )
    assert CustomFieldValue.objects.get(contact=person).value == "plan-1"
    assert ListMembership.objects.filter(contact_list=newsletter).count() == 120
    # The finished page no longer polls or refreshes itself.
    html = pages.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "hx-trigger" not in html and 'http-equiv="refresh"' not in html


def test_rows_the_service_refuses_are_listed_by_line(worker: CeleryWorker, connected: Connected) -> None:
    clients = make_list(connected.account, "Clients")
    pages = connected.pages()
    rows = [
        ["good1@example.com", "Good"],
        ["not-an-email", "Bad"],
        ["", "Nobody"],
        ["good2@example.com", "Fine"],
    ]
    token = token_of(upload(pages, "mixed.csv", csv_bytes(["Email", "First name"], rows)))
    html = pages.get(reverse("jobs:import-map", args=[token])).content.decode()
    assert "not an email address: this row will be refused" in html  # the preview warns first
    pages.post(
        reverse("jobs:import-map", args=[token]), {"column_0": "email", "column_1": "first_name", "action": "continue"}
    )
    job = job_from(pages.post(reverse("jobs:import-start", args=[token]), {"list_ids": [str(clients.list_id)]}))

    text = poll_until_stopped(pages, job, worker).content.decode()
    assert "Completed" in text and "Problems (2)" in text
    assert "<li>line 3: " in text and "not-an-email" in text  # line numbers of the uploaded file
    assert "<li>line 4: " in text
    assert sorted(Contact.objects.filter(account=connected.account).values_list("email_address", flat=True)) == [
        "good1@example.com",
        "good2@example.com",
    ]


def test_the_last_step_can_name_a_new_list(worker: CeleryWorker, connected: Connected) -> None:
    make_list(connected.account, "Existing")
    pages = connected.pages()
    token = token_of(upload(pages, "new.csv", csv_bytes(["email"], [["new1@example.com"], ["new2@example.com"]])))
    pages.post(reverse("jobs:import-map", args=[token]), {"column_0": "email", "action": "continue"})
    start_url = reverse("jobs:import-start", args=[token])
    taken = pages.post(start_url, {"new_list": "Existing"})
    assert taken.status_code == 400 and "Constant Contact answered:" in taken.content.decode()
    job = job_from(pages.post(start_url, {"new_list": "Fresh"}))
    assert "Completed" in poll_until_stopped(pages, job, worker).content.decode()
    fresh = ContactList.objects.get(account=connected.account, name="Fresh")
    assert sorted(
        ListMembership.objects.filter(contact_list=fresh).values_list("contact__email_address", flat=True)
    ) == [
        "new1@example.com",
        "new2@example.com",
    ]
