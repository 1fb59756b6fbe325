"""Finding one's way in a real browser: who is signed in, the Contacts section's own navigation, the home page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import Page, expect

from apps.accounts.models import Membership, Role
from apps.v3.account.models import AccountMembership
from apps.v3.bulk.models import Activity
from apps.v3.contacts.models import Contact, ContactList, ListMembership

from .conftest import PASSWORD, Connected, Service

pytestmark = pytest.mark.browser


def sign_in(page: Page, username: str) -> None:
    """The whole sign-in at the service's pages, ending on the dashboard."""
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Constant Contact").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Allow").click()


# --- Who is signed in ------------------------------------------------------------------------------


def test_the_header_and_the_flash_name_the_login_typed_and_the_organisation_once(
    page: Page, service: Service, cc_owner: AccountMembership
) -> None:
    login = cc_owner.user.username
    sign_in(page, login)

    expect(page).to_have_url(f"{service.url}/")
    # The service's user has the login as username already, so the dashboard's user got a generated one.
    generated = SocialAccount.objects.get().user.username
    assert generated != login
    expect(page.get_by_role("status")).to_have_text(f"Signed in as {login}.")
    header = page.get_by_role("banner")
    expect(header.locator(".site-account__name")).to_have_text(f"Signed in as {login}")
    expect(header).not_to_contain_text(generated)
    main = page.get_by_role("main")
    expect(main).to_contain_text("You are working in Harbor Bakery.")
    expect(main).not_to_contain_text("(Harbor Bakery)")

    # Another page of the same session still names them so.
    page.goto("/contacts/")
    expect(page.get_by_role("banner").locator(".site-account__name")).to_have_text(f"Signed in as {login}")


# --- The Contacts section's navigation -------------------------------------------------------------

SECTION = ["Contacts", "Lists", "Tags", "Custom fields", "Segments", "Import", "Export", "Activities"]
# Where each entry leads.
PATHS = {
    "Contacts": "/contacts/",
    "Lists": "/contacts/lists/",
    "Tags": "/contacts/tags/",
    "Custom fields": "/contacts/custom-fields/",
    "Segments": "/contacts/segments/",
    "Import": "/jobs/import/",
    "Export": "/jobs/export/",
    "Activities": "/jobs/",
}


def expect_current(page: Page, label: str, section: list[str] = SECTION) -> None:
    """The section's navigation is on the page, in order (``section``), with ``label`` (only) marked current."""
    nav = page.get_by_role("navigation", name="Contacts section")
    expect(nav.get_by_role("link")).to_have_text(section)
    expect(nav.locator("[aria-current=page]")).to_have_text([label])


def test_every_page_of_the_contacts_section_links_to_all_of_it(page: Page, connected: Connected) -> None:
    page.goto("/contacts/")
    expect_current(page, "Contacts")
    head = page.locator(".page-head")
    # An empty account: the import and export are in the page's head (and the empty state offers the import too).
    expect(head.get_by_role("link", name="Import contacts")).to_have_attribute("href", "/jobs/import/")
    expect(head.get_by_role("link", name="Export contacts")).to_have_attribute("href", "/jobs/export/")

    nav = page.get_by_role("navigation", name="Contacts section")
    for label in SECTION[1:]:
        nav.get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(PATHS[label]) + "$"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect_current(page, label)

    # A page deeper in the section belongs to its entry.
    newsletter = ContactList.objects.create(account=connected.account, name="Newsletter")
    page.goto(f"/contacts/lists/{newsletter.list_id}/")
    expect(page.get_by_role("heading", name="Newsletter", level=1)).to_be_visible()
    expect_current(page, "Lists")

    # Once a contact exists the contacts page still offers the import and export, where it did.
    Contact.objects.create(account=connected.account, email_address="ann@example.com")
    nav.get_by_role("link", name="Contacts", exact=True).click()
    expect(page.get_by_role("link", name="ann@example.com")).to_be_visible()
    expect(head.get_by_role("link", name="Import contacts")).to_be_visible()
    expect(head.get_by_role("link", name="Export contacts")).to_be_visible()
    page.get_by_role("link", name="ann@example.com").click()
    # Without a name, the contact's page is titled by the email address.
    expect(page.get_by_role("heading", name="ann@example.com", level=1)).to_be_visible()
    expect(page).to_have_title("ann@example.com · Contacts · ctctdash")
    expect_current(page, "Contacts")

    # The import wizard's later steps belong to Import, a job's page to Activities.
    page.goto("/jobs/import/")
    page.get_by_label("CSV file").set_input_files(
        {"name": "few.csv", "mimeType": "text/csv", "buffer": b"Email\nann@example.com\n"}
    )
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", name="Import few.csv")).to_be_visible()
    expect_current(page, "Import")

    # A viewer cannot import or export: the navigation leaves those out.
    Membership.objects.filter(workspace=connected.workspace, user=connected.user).update(role=Role.VIEWER)
    page.goto("/jobs/")
    expect_current(page, "Activities", [label for label in SECTION if label not in ("Import", "Export")])

    # Outside the section there is none.
    page.goto("/")
    expect(page.get_by_role("navigation", name="Contacts section")).to_have_count(0)


# --- The home page ----------------------------------------------------------------------------------


def test_the_home_page_of_an_empty_account_lists_the_first_steps(page: Page, connected: Connected) -> None:
    page.goto("/")

    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Home", level=1)).to_be_visible()
    expect(main).to_contain_text("You are working in Harbor Bakery.")
    steps = main.get_by_role("region", name="Get started").get_by_role("listitem")
    expect(steps).to_have_count(3)
    expect(steps.nth(0).get_by_role("link", name="Import your contacts")).to_have_attribute("href", "/jobs/import/")
    expect(steps.nth(1).get_by_role("link", name="Create a list")).to_have_attribute("href", "/contacts/lists/new/")
    expect(steps.nth(2)).to_have_text("Write a campaign (coming soon)")
    expect(steps.nth(2).get_by_role("link")).to_have_count(0)
    expect(main.get_by_role("region", name="Contacts")).to_contain_text("No contacts yet.")
    expect(main.get_by_role("region", name="Lists")).to_contain_text("No lists yet.")
    expect(main.get_by_role("region", name="Recent imports and exports")).to_contain_text("No imports or exports yet.")

    # The first step leads to the import.
    steps.nth(0).get_by_role("link", name="Import your contacts").click()
    expect(page.get_by_role("heading", name="Import contacts", level=1)).to_be_visible()


def test_the_home_page_shows_the_accounts_contacts_lists_and_recent_activities(
    page: Page, connected: Connected
) -> None:
    account = connected.account
    now = dt.datetime.now(dt.UTC)
    newsletter = ContactList.objects.create(account=account, name="Newsletter")
    ContactList.objects.create(account=account, name="VIP")
    for n, opted_in in enumerate([now - dt.timedelta(days=2), now - dt.timedelta(days=3), now - dt.timedelta(days=90)]):
        contact = Contact.objects.create(
            account=account, email_address=f"c{n}@example.com", permission_to_send="explicit", opt_in_date=opted_in
        )
        ListMembership.objects.create(contact=contact, contact_list=newsletter)
    imported = Activity.objects.create(
        account=account, kind="file_import", state="completed", percent_done=100, source_file_name="shop.csv"
    )
    Activity.objects.create(
        account=account, kind="file_import", state="processing", percent_done=40, source_file_name="crm.csv"
    )

    page.goto("/")

    main = page.get_by_role("main")
    expect(main.get_by_role("region", name="Get started")).to_have_count(0)
    contacts = main.get_by_role("region", name="Contacts")
    expect(contacts).to_contain_text("3 contacts")
    expect(contacts).to_contain_text("2 new subscribers in the last 30 days.")
    rows = main.get_by_role("region", name="Lists").get_by_role("row")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Newsletter").get_by_role("cell").nth(1)).to_have_text("3")
    expect(rows.filter(has_text="VIP").get_by_role("cell").nth(1)).to_have_text("0")
    recent = main.get_by_role("region", name="Recent imports and exports")
    # States in the jobs pages' words, the newest first.
    expect(recent.get_by_role("listitem")).to_have_count(2)
    expect(recent.get_by_role("listitem").nth(0)).to_contain_text("Import of crm.csv: Running (40%)")
    expect(recent.get_by_role("listitem").nth(1)).to_contain_text("Import of shop.csv: Completed")
    recent.get_by_role("link", name="Import of shop.csv").click()
    expect(page).to_have_url(re.compile(f"/jobs/activities/{imported.activity_id}/$"))


def test_a_signed_out_visitor_sees_the_landing_page(page: Page, service: Service) -> None:
    page.goto("/")

    expect(page.get_by_role("heading", name="Welcome to ctctdash", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Sign in to get started")).to_be_visible()
    expect(page.get_by_role("region", name="Get started")).to_have_count(0)
