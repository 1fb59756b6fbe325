"""Finding one's way in a real browser: who is signed in, the Contacts section's own navigation, the home page."""

from __future__ import annotations

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import Page, expect

from apps.v3.account.models import AccountMembership
from apps.v3.contacts.models import Contact, ContactList

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

SECTION = ["Contacts", "Lists", "Tags", "Custom fields", "Segments", "Activities"]
# Where each entry leads.
PATHS = {
    "Contacts": "/contacts/",
    "Lists": "/contacts/lists/",
    "Tags": "/contacts/tags/",
    "Custom fields": "/contacts/custom-fields/",
    "Segments": "/contacts/segments/",
    "Activities": "/jobs/",
}


def expect_current(page: Page, label: str) -> None:
    """The section's navigation is on the page, in order, with ``label`` (only) marked current."""
    nav = page.get_by_role("navigation", name="Contacts section")
    expect(nav.get_by_role("link")).to_have_text(SECTION)
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
    expect(page.get_by_role("heading", name="ann@example.com", level=1)).to_be_visible()
    expect_current(page, "Contacts")

    # Outside the section there is none.
    page.goto("/")
    expect(page.get_by_role("navigation", name="Contacts section")).to_have_count(0)
