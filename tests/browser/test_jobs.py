"""Jobs in a real browser, run by a real Celery worker: an export followed to 100 % and its CSV downloaded."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apps.v3.models import Contact, ContactList, ListMembership
from tests.worker import CeleryWorker, celery_worker, worker

from .conftest import Connected

pytestmark = [pytest.mark.browser, pytest.mark.worker]
__all__ = ["celery_worker", "worker"]  # fixtures used by name

# Long enough for a worker that is busy with another test's leftovers; no wait here is a sleep.
JOB_TIMEOUT_MS = 60_000


def wait_until_finished(page: Page) -> None:
    """Follow the job page until its progress bar shows 100 % and the page stops polling."""
    progress = page.locator("#job-progress")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "100", timeout=JOB_TIMEOUT_MS)
    expect(progress.get_by_role("status")).to_have_text("100%")
    expect(progress.get_by_role("heading", name=re.compile(r"^Progress"))).to_contain_text("Completed")
    # The answer that ended the polling (HTTP 286) swapped in a section that polls no more.
    expect(progress).not_to_have_attribute("hx-trigger", re.compile(r".*"))
    expect(progress).not_to_have_attribute("aria-busy", "true")


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
    # The columns ticked, in the form's order; only the VIP list's contacts.
    assert rows[0] == ["email_address", "first_name", "last_name", "company_name"]
    assert sorted(rows[1:]) == [["ann@example.com", "Ann", "Lee", "Harbor"], ["dee@example.com", "Dee", "Moss", ""]]
