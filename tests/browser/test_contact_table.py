"""The contacts table in a real browser: searching any part of names and email addresses, and bulk
work on the selected rows (or every matching contact) run as V3 activities by a real Celery worker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from apps.v3.contacts.models import Contact, ContactList, ListMembership, Tag, Tagging
from tests.worker import CeleryWorker

from .conftest import Connected

pytestmark = pytest.mark.browser

PEOPLE = [
    ("ana.lopez@example.org", "Ana", "Lopez"),
    ("jo.smith@example.com", "Jo", "Smith"),
    ("banana@example.net", "Kim", "Park"),
    ("lee@example.com", "Lee", "Blacksmith"),
]


def _add_people(connected: Connected) -> None:
    Contact.objects.bulk_create(
        Contact(account=connected.account, email_address=e, first_name=f, last_name=last, permission_to_send="implicit")
        for e, f, last in PEOPLE
    )


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ana", ["ana.lopez@example.org", "banana@example.net"]),
        ("Smith", ["jo.smith@example.com", "lee@example.com"]),
        ("example.org", ["ana.lopez@example.org"]),
    ],
)
def test_search_finds_any_part_of_names_and_email(
    page: Page, connected: Connected, term: str, expected: list[str]
) -> None:
    _add_people(connected)
    page.goto("/contacts/")
    expect(page.get_by_role("link", name="lee@example.com")).to_be_visible()
    # The built-in service searches names too: no note about whole addresses.
    expect(page.get_by_text("matches a whole email address only")).to_have_count(0)

    box = page.get_by_role("searchbox", name="Search")
    box.fill(term)
    box.press("Enter")

    expect(page.get_by_role("status").filter(has_text=f"of {len(expected)} contact")).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(len(expected))
    for email in expected:
        expect(rows.filter(has_text=email)).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"[?&]email={re.escape(term)}(&|$)"))  # a link to these results


# --- Bulk work ------------------------------------------------------------------------------------

# Long enough for a worker busy with another test's leftovers; no wait here is a sleep.
JOB_TIMEOUT_MS = 60_000


def _wait_until_finished(page: Page) -> None:
    """The activity's page, followed until its progress shows it completed and the polling stopped."""
    progress = page.locator("#job-progress")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "100", timeout=JOB_TIMEOUT_MS)
    expect(progress.get_by_role("heading", name=re.compile(r"^Progress"))).to_contain_text("Completed")
    expect(progress).not_to_have_attribute("hx-trigger", re.compile(r".*"))


def _bulk(page: Page) -> Locator:
    """The table's bulk controls."""
    return page.get_by_role("group", name="Change the selected contacts")


@pytest.mark.worker
def test_add_the_selected_rows_to_a_list(page: Page, connected: Connected, worker: CeleryWorker) -> None:
    _add_people(connected)
    vip = ContactList.objects.create(account=connected.account, name="VIP")

    page.goto("/contacts/")
    page.get_by_role("checkbox", name="Select ana.lopez@example.org").check()
    page.get_by_role("checkbox", name="Select lee@example.com").check()
    _bulk(page).get_by_label("Action").select_option(label="Add to list")
    _bulk(page).get_by_label("List", exact=True).select_option(label="VIP")
    page.get_by_role("button", name="Apply to selected").click()

    expect(page).to_have_url(re.compile(r"/jobs/activities/[0-9a-f-]{36}/$"))
    expect(page.get_by_text("Add to list: started.")).to_be_visible()
    _wait_until_finished(page)
    members = ListMembership.objects.filter(contact_list=vip).values_list("contact__email_address", flat=True)
    assert sorted(members) == ["ana.lopez@example.org", "lee@example.com"]


@pytest.mark.worker
def test_tag_every_contact_matching_a_search_across_pages(
    page: Page, connected: Connected, worker: CeleryWorker
) -> None:
    _add_people(connected)
    Contact.objects.bulk_create(
        Contact(account=connected.account, email_address=f"ana{n:02d}@example.com", permission_to_send="implicit")
        for n in range(55)
    )
    fair = Tag.objects.create(account=connected.account, name="Summer fair")

    page.goto("/contacts/?email=ana")
    expect(page.get_by_role("status").filter(has_text="of 57 contacts")).to_be_visible()
    _bulk(page).get_by_role("checkbox", name="Select all 57 matching contacts").check()
    _bulk(page).get_by_label("Action").select_option(label="Add tag")
    _bulk(page).get_by_label("Tag", exact=True).select_option(label="Summer fair")
    page.get_by_role("button", name="Apply to selected").click()

    _wait_until_finished(page)
    tagged = set(Tagging.objects.filter(tag=fair).values_list("contact__email_address", flat=True))
    # Both pages of the search, and nobody else.
    assert len(tagged) == 57 and "banana@example.net" in tagged and "lee@example.com" not in tagged


@pytest.mark.worker
def test_remove_everyone_on_a_list_from_it(page: Page, connected: Connected, worker: CeleryWorker) -> None:
    _add_people(connected)
    vip = ContactList.objects.create(account=connected.account, name="VIP")
    ListMembership.objects.bulk_create(
        ListMembership(contact=c, contact_list=vip) for c in Contact.objects.filter(account=connected.account)
    )

    page.goto(f"/contacts/?lists={vip.list_id}")
    _bulk(page).get_by_role("checkbox", name="Select all 4 matching contacts").check()
    _bulk(page).get_by_label("Action").select_option(label="Remove from list")
    _bulk(page).get_by_label("List", exact=True).select_option(label="VIP")
    page.get_by_role("button", name="Apply to selected").click()

    _wait_until_finished(page)
    assert not ListMembership.objects.filter(contact_list=vip).exists()


@pytest.mark.worker
def test_delete_the_selected_rows_after_confirming(page: Page, connected: Connected, worker: CeleryWorker) -> None:
    _add_people(connected)

    page.goto("/contacts/")
    page.get_by_role("checkbox", name="Select jo.smith@example.com").check()
    page.get_by_role("checkbox", name="Select banana@example.net").check()
    _bulk(page).get_by_label("Action").select_option(label="Delete")
    page.get_by_role("button", name="Apply to selected").click()

    # Nothing is gone yet: the page asks first, and Cancel leads back unharmed.
    expect(page.get_by_role("heading", name="Delete 2 contacts?")).to_be_visible()
    assert not Contact.objects.filter(deleted_at__isnull=False).exists()
    page.get_by_role("region", name="Delete 2 contacts?").get_by_role("button", name="Delete").click()

    _wait_until_finished(page)
    deleted = Contact.objects.filter(deleted_at__isnull=False).values_list("email_address", flat=True)
    assert sorted(deleted) == ["banana@example.net", "jo.smith@example.com"]
