"""The imports and exports pages in a real browser, read as a person reads them: words, not the API's ids and states."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.jobs.models import Job
from apps.v3.bulk.models import Activity

from .conftest import Connected

pytestmark = pytest.mark.browser


def job(connected: Connected, label: str, **activity: object) -> Job:
    """An import job of the workspace, its activity in the service in the given state."""
    row = Activity.objects.create(account=connected.account, kind="file_import", **activity)
    return Job.objects.create(
        workspace=connected.workspace,
        connection=connected.connection,
        kind=Job.Kind.IMPORT,
        activity_id=str(row.activity_id),
        label=label,
        state=str(activity.get("state", "initialized")),
        created_by=connected.user,
    )


def test_the_imports_and_exports_pages_speak_in_words(page: Page, connected: Connected) -> None:
    done = job(connected, "shop.csv", state="completed", percent_done=100, source_file_name="shop.csv")
    job(connected, "fair.csv", state="processing", percent_done=40, source_file_name="fair.csv")
    elsewhere = Activity.objects.create(
        account=connected.account, kind="list_delete", state="completed", percent_done=100
    )

    page.goto("/contacts/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports and exports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports and exports")
    expect(page).to_have_title("Imports and exports · ctctdash")

    jobs = page.get_by_role("region", name="Imports and exports in Harbor Bakery")
    expect(jobs.get_by_role("columnheader")).to_have_text(
        ["What", "Account", "Status", "Progress", "Started by", "Started on"]
    )
    expect(jobs.get_by_role("row").filter(has_text="fair.csv")).to_contain_text("Running")
    expect(jobs.get_by_role("row").filter(has_text="shop.csv")).to_contain_text("Completed")

    work = page.get_by_role("region", name="Recent background work in Harbor Bakery")
    expect(work.get_by_role("columnheader")).to_have_text(["What", "Status", "Progress", "Started on", "Finished on"])
    # An activity started elsewhere is named for what it may be, never by its id.
    other = work.get_by_role("link", name="Change to contacts, lists or tags")
    expect(other).to_have_attribute("href", f"/jobs/activities/{elsewhere.activity_id}/")
    expect(work).not_to_contain_text(str(elsewhere.activity_id).split("-")[0])

    # The status filter offers the states as the badges name them.
    status = work.get_by_label("Status")
    expect(status.locator("option")).to_have_text(
        ["Any status", "Running", "Completed", "Failed", "Cancelled", "Timed out"]
    )
    status.select_option(label="Failed")
    work.get_by_role("button", name="Show").click()
    expect(page.get_by_role("region", name=re.compile("^Recent background work"))).to_contain_text(
        "Nothing in this status."
    )

    # A job's page: the way back says where it leads, the activity id is only a reference for support.
    page.goto(f"/jobs/{done.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import: shop.csv")
    expect(page).to_have_title("Import · Imports and exports · ctctdash")
    expect(page.get_by_role("main").get_by_role("link", name="Imports and exports")).to_have_attribute("href", "/jobs/")
    facts = page.locator("dl.facts").first
    expect(facts).not_to_contain_text("Activity id")
    expect(facts).to_contain_text(f"Reference for support{done.activity_id}")

    page.goto(f"/jobs/activities/{elsewhere.activity_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change to contacts, lists or tags")
    expect(page.get_by_role("main")).not_to_contain_text("Activity ")
