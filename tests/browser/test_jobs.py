"""Imports and exports in a real browser, run by a real Celery worker: the wizard, the progress bar, the download."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from apps.v3.contacts.models import (
    Contact,
    ContactList,
    CustomField,
    CustomFieldValue,
    ListMembership,
    Segment,
    Tag,
    Tagging,
)
from ctctdash.celery import app
from tests.worker import CeleryWorker

from .conftest import Connected

pytestmark = [pytest.mark.browser, pytest.mark.worker]

# Long enough for a worker that is busy with another test's leftovers; no wait here is a sleep.
JOB_TIMEOUT_MS = 60_000


class Queue:
    """The worker's task queue, which a test may hold (the worker takes nothing from it) and release.

    The suite runs one worker (registered in tests/conftest.py), so holding its consumer holds the queue.
    """

    def __init__(self, worker: CeleryWorker) -> None:
        self.worker = worker
        self.held = False

    def _control(self, command: str) -> None:
        replies = getattr(app.control, command)(
            app.conf.task_default_queue, destination=[self.worker.nodename], reply=True, timeout=10, limit=1
        )
        assert replies, f"the worker did not answer {command}:\n{self.worker.log_tail()}"

    def hold(self) -> None:
        """Stop the worker taking tasks: activities started now stay queued until :meth:`release`."""
        self._control("cancel_consumer")
        self.held = True

    def release(self) -> None:
        """Let the worker take tasks again."""
        if self.held:
            self._control("add_consumer")
            self.held = False


@pytest.fixture
def queue(worker: CeleryWorker) -> Iterator[Queue]:
    """The worker's queue, released again after the test whatever happened."""
    held = Queue(worker)
    yield held
    held.release()


def is_poll(response: Response) -> bool:
    """An htmx request of a job page for its progress fragment."""
    return bool(re.search(r"/jobs/\d+/$", response.url)) and response.request.header_value("hx-request") == "true"


def wait_until_finished(page: Page) -> None:
    """Follow the job page until its progress bar shows 100 % and the page stops polling."""
    progress = page.locator("#job-progress")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "100", timeout=JOB_TIMEOUT_MS)
    expect(progress.get_by_role("status")).to_have_text("100%")
    expect(progress.get_by_role("heading", name=re.compile(r"^Progress"))).to_contain_text("Completed")
    # The answer that ended the polling (HTTP 286) swapped in a section that polls no more.
    expect(progress).not_to_have_attribute("hx-trigger", re.compile(r".*"))
    expect(progress).not_to_have_attribute("aria-busy", "true")


def test_import_a_csv_through_the_wizard(page: Page, connected: Connected, queue: Queue, tmp_path: Path) -> None:
    ContactList.objects.create(account=connected.account, name="Newsletter")
    upload = tmp_path / "fair-signups.csv"
    upload.write_text(
        "Contact,Known as,Family,Shoe size\n"
        "ann@example.com,Ann,Lee,38\n"
        "bob@example.com,Bob,Ray,44\n"
        "cy@example.com,Cy,Ito,41\n",
        encoding="utf-8",
    )

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports and exports").click()
    page.get_by_role("link", name="Import contacts", exact=True).click()

    # Step 1: the file.
    steps = page.get_by_role("list", name="Import steps")
    expect(steps.locator("[aria-current=step]")).to_have_text("1. Upload a file")
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_role("button", name="Upload and continue").click()

    # Step 2: the email column is recognised by its values; the names are chosen by hand, and
    # the preview follows each choice.
    expect(page.get_by_role("heading", name="Import fair-signups.csv")).to_be_visible()
    expect(steps.locator("[aria-current=step]")).to_have_text("2. Match columns")
    expect(page.get_by_text("3 contacts in 4 columns")).to_be_visible()
    expect(page.get_by_label("Contact", exact=True)).to_have_value("email")
    expect(page.get_by_label("Shoe size")).to_have_value("")  # "Don't import"
    preview = page.get_by_role("region", name="Preview")
    expect(preview.get_by_role("columnheader")).to_have_text(["Email address"])
    page.get_by_label("Known as").select_option(label="First name")
    expect(preview.get_by_role("columnheader")).to_have_text(["Email address", "First name"])
    page.get_by_label("Family").select_option(label="Last name")
    expect(preview.get_by_role("columnheader")).to_have_text(["Email address", "First name", "Last name"])
    expect(preview.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(["ann@example.com", "Ann", "Lee"])
    page.get_by_role("button", name="Continue").click()

    # Step 3: the lists, then start.
    expect(steps.locator("[aria-current=step]")).to_have_text("3. Choose lists and start")
    page.get_by_role("group", name="Add the contacts to these lists").get_by_label("Newsletter").check()
    # Held, so the page is seen waiting and polling before the worker takes the activity.
    queue.hold()
    page.get_by_role("button", name="Start the import").click()

    expect(page.get_by_role("heading", name="Import: fair-signups.csv")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="The import of fair-signups.csv has started.")).to_be_visible()
    progress = page.locator("#job-progress")
    expect(progress.get_by_role("heading", name=re.compile(r"^Progress"))).to_contain_text("Queued")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "0")
    expect(progress).to_have_attribute("hx-trigger", "every 1s")
    with page.expect_response(is_poll):
        pass  # the page asks for its progress again by itself

    # Released, the worker runs the import; the page follows it to the end, the last answer a 286.
    with page.expect_response(lambda r: is_poll(r) and r.status != 200, timeout=JOB_TIMEOUT_MS) as last_poll:
        queue.release()
    assert last_poll.value.status == 286, f"the progress poll answered {last_poll.value.status}"
    wait_until_finished(page)
    page.get_by_role("link", name="See the contacts").click()

    rows = page.get_by_role("table").get_by_role("row")
    expect(rows.get_by_role("link")).to_have_text(
        ["ann@example.com", "bob@example.com", "cy@example.com"], timeout=JOB_TIMEOUT_MS
    )
    expect(rows.filter(has_text="bob@example.com").get_by_role("cell").nth(1)).to_have_text("Bob Ray")
    newsletter = ContactList.objects.get(account=connected.account, name="Newsletter")
    assert sorted(
        ListMembership.objects.filter(contact_list=newsletter).values_list("contact__email_address", flat=True)
    ) == ["ann@example.com", "bob@example.com", "cy@example.com"]


def test_export_and_download_the_csv(page: Page, connected: Connected, worker: CeleryWorker) -> None:
    account = connected.account
    vip = ContactList.objects.create(account=account, name="VIP")
    ContactList.objects.create(account=account, name="Newsletter")
    ann = Contact.objects.create(
        account=account, email_address="ann@example.com", first_name="Ann", last_name="Lee", company_name="Harbor"
    )
    dee = Contact.objects.create(account=account, email_address="dee@example.com", first_name="Dee", last_name="Moss")
    Contact.objects.create(account=account, email_address="not-vip@example.com", first_name="Nat")
    ListMembership.objects.bulk_create(
        [ListMembership(contact=ann, contact_list=vip), ListMembership(contact=dee, contact_list=vip)]
    )

    page.goto("/jobs/")
    page.get_by_role("link", name="Export contacts").click()

    expect(page.get_by_role("heading", name="Export contacts")).to_be_visible()
    page.get_by_role("group", name="Contacts on these lists").get_by_label("VIP").check()
    columns = page.get_by_role("group", name="Columns")
    # The usual columns are ticked already; add the company, drop the permission.
    expect(columns.get_by_label("Email address")).to_be_checked()
    columns.get_by_label("Company").check()
    columns.get_by_label("Email permission").uncheck()
    page.get_by_role("button", name="Start the export").click()

    expect(page.get_by_role("heading", name=re.compile(r"^Export: Contacts on VIP"))).to_be_visible()
    wait_until_finished(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the CSV file").click()
    download = info.value
    assert re.fullmatch(r"contacts-export-\d{4}-\d{2}-\d{2}-\d+\.csv", download.suggested_filename)
    assert download.failure() is None
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    # The columns ticked, in the form's order and named in words; only the VIP list's contacts.
    assert rows[0] == ["Email address", "First name", "Last name", "Company"]
    assert sorted(rows[1:]) == [["ann@example.com", "Ann", "Lee", "Harbor"], ["dee@example.com", "Dee", "Moss", ""]]


def download_rows(page: Page) -> list[list[str]]:
    """The finished export's file, downloaded from its page, as CSV rows."""
    wait_until_finished(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the CSV file").click()
    return list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))


def test_export_by_tag_or_by_segment_headed_in_words_or_as_the_api_names_them(
    page: Page, connected: Connected, worker: CeleryWorker
) -> None:
    account = connected.account
    regulars = Tag.objects.create(account=account, name="Regulars")
    Tag.objects.create(account=account, name="Wholesale")
    bread = CustomField.objects.create(account=account, label="Favourite bread", name="favourite_bread", type="string")
    ann = Contact.objects.create(account=account, email_address="ann@example.com", first_name="Ann")
    Contact.objects.create(
        account=account, email_address="bob@example.com", first_name="Bob", permission_to_send="explicit"
    )
    Contact.objects.create(account=account, email_address="cy@example.com", first_name="Cy")
    Tagging.objects.create(contact=ann, tag=regulars)
    CustomFieldValue.objects.create(contact=ann, custom_field=bread, value="Rye")
    opted_in = {"source": "contact", "field": "permission_to_send", "op": "eq", "const_value": "explicit"}
    Segment.objects.create(
        account=account,
        name="Opted in",
        segment_criteria=json.dumps({"version": "1.0.0", "criteria": {"type": "and", "group": [opted_in]}}),
    )

    # By tag, with a custom field, the headers in words (the form's default).
    page.goto("/jobs/export/")
    headers = page.get_by_role("group", name="Column headers in the file")
    expect(headers.get_by_role("radio", name=re.compile(r"^In words"))).to_be_checked()
    page.get_by_role("group", name="Or contacts with these tags").get_by_label("Regulars").check()
    columns = page.get_by_role("group", name="Columns")
    columns.get_by_label("Email permission").uncheck()
    columns.get_by_label("Last name").uncheck()
    columns.get_by_label("Favourite bread (custom field)").check()
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export: Contacts tagged Regulars")
    rows = download_rows(page)
    assert rows == [["Email address", "First name", "Favourite bread"], ["ann@example.com", "Ann", "Rye"]]

    # By segment, headed as the API names the columns.
    page.goto("/jobs/export/")
    page.get_by_label("Or the contacts of a segment").select_option(label="Opted in")
    page.get_by_role("group", name="Column headers in the file").get_by_role(
        "radio", name=re.compile(r"^As the API")
    ).check()
    columns = page.get_by_role("group", name="Columns")
    columns.get_by_label("Email permission").uncheck()
    columns.get_by_label("Last name").uncheck()
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export: Contacts of the segment Opted in")
    assert download_rows(page) == [["email_address", "first_name"], ["bob@example.com", "Bob"]]

    # A tag and a segment at once is not an export the API runs: the form says so and starts nothing.
    page.goto("/jobs/export/")
    page.get_by_role("group", name="Or contacts with these tags").get_by_label("Regulars").check()
    page.get_by_label("Or the contacts of a segment").select_option(label="Opted in")
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("alert").filter(has_text="choose only one of them")).to_be_visible()
