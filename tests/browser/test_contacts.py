"""The contact pages in a real browser: adding a contact (the API's refusal at its field), editing, deleting."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.v3.contacts.models import Contact, ContactList

from .conftest import Connected

pytestmark = pytest.mark.browser


def test_add_a_contact_fix_what_the_api_refused_then_edit_it(page: Page, connected: Connected) -> None:
    ContactList.objects.create(account=connected.account, name="Newsletter")
    ContactList.objects.create(account=connected.account, name="VIP")

    page.goto("/contacts/")
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    page.get_by_role("link", name="New contact").click()

    expect(page.get_by_role("heading", name="New contact")).to_be_visible()
    email = page.get_by_label("Email address")
    expect(email).to_be_focused()  # the form opens on its first field
    email.press_sequentially("dee@example.com")
    page.get_by_label("Email permission").select_option(label="Explicit: they asked to receive email")
    page.get_by_label("First name").fill("Dee")
    page.get_by_label("Last name").fill("Moss")
    page.get_by_label("Company").fill("Corner Florist")
    # The form leaves dates to the API, which refuses a day February does not have.
    page.get_by_label("Anniversary").fill("2023-02-30")
    page.get_by_role("group", name="Lists", exact=True).get_by_label("Newsletter").check()
    page.get_by_role("button", name="Add contact").click()

    # The API's message is at the field it names, tied to it for screen readers, and focused.
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()
    anniversary = page.get_by_label("Anniversary")
    expect(anniversary).to_be_focused()
    expect(anniversary).to_have_attribute("aria-invalid", "true")
    expect(anniversary).to_have_accessible_description(re.compile(r"is not a date"))
    # Everything typed is still there.
    expect(page.get_by_label("Email address")).to_have_value("dee@example.com")
    expect(page.get_by_label("First name")).to_have_value("Dee")
    expect(page.get_by_role("group", name="Lists", exact=True).get_by_label("Newsletter")).to_be_checked()
    assert not Contact.objects.filter(email_address="dee@example.com").exists()

    anniversary.fill("")
    anniversary.press_sequentially("2023-02-28")
    anniversary.press("Enter")  # Enter in a text input submits the form

    # The new contact's page, titled by the contact's name.
    expect(page.get_by_role("heading", name="Dee Moss", level=1)).to_be_visible()
    expect(page).to_have_title("Dee Moss · Contacts · ctctdash")
    expect(page.get_by_role("status").filter(has_text="dee@example.com was added.")).to_be_visible()
    about = page.get_by_role("region", name="About")
    expect(about).to_contain_text("Dee")
    expect(about).to_contain_text("Moss")
    expect(about).to_contain_text("Corner Florist")
    expect(page.get_by_role("region", name="Email")).to_contain_text("Explicit")
    expect(page.get_by_role("region", name="Lists and tags").get_by_role("listitem")).to_have_text(["Newsletter"])

    # In the list, and from there back to it.
    page.get_by_role("main").get_by_role("link", name="Contacts").click()
    row = page.get_by_role("row").filter(has_text="dee@example.com")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text("Dee Moss")
    row.get_by_role("link", name="dee@example.com").click()

    # Edit: the form starts from the current values; change the name and the lists.
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit dee@example.com")).to_be_visible()
    first_name = page.get_by_label("First name")
    expect(first_name).to_have_value("Dee")
    expect(page.get_by_label("Anniversary")).to_have_value(re.compile(r"2023"))
    first_name.fill("Deirdre")
    lists = page.get_by_role("group", name="Lists", exact=True)
    lists.get_by_label("Newsletter").uncheck()
    lists.get_by_label("VIP").check()
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status").filter(has_text="dee@example.com was saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Deirdre Moss", level=1)).to_be_visible()
    expect(page).to_have_title("Deirdre Moss · Contacts · ctctdash")
    expect(page.get_by_role("region", name="About")).to_contain_text("Deirdre")
    expect(page.get_by_role("region", name="Lists and tags").get_by_role("listitem")).to_have_text(["VIP"])
    page.get_by_role("main").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("row").filter(has_text="dee@example.com").get_by_role("cell").nth(1)).to_have_text(
        "Deirdre Moss"
    )

    dee = Contact.objects.get(email_address="dee@example.com")
    assert (dee.first_name, dee.last_name, dee.permission_to_send) == ("Deirdre", "Moss", "explicit")
    assert list(dee.memberships.values_list("contact_list__name", flat=True)) == ["VIP"]


def test_delete_a_contact_after_confirming(page: Page, connected: Connected) -> None:
    account = connected.account
    Contact.objects.create(account=account, email_address="cy@example.com", first_name="Cy")
    Contact.objects.create(account=account, email_address="ann@example.com", first_name="Ann")

    page.goto("/contacts/")
    page.get_by_role("link", name="cy@example.com").click()
    page.get_by_role("link", name="Delete").click()

    # The confirmation: nothing is gone yet, and Cancel (focused) leads back unharmed.
    expect(page.get_by_role("heading", name="Delete cy@example.com?")).to_be_visible()
    cancel = page.get_by_role("link", name="Cancel")
    expect(cancel).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cy", level=1, exact=True)).to_be_visible()
    assert Contact.objects.get(email_address="cy@example.com").deleted_at is None

    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete").click()

    expect(page).to_have_url(re.compile(r"/contacts/$"))
    expect(page.get_by_role("status").filter(has_text="cy@example.com was deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="ann@example.com")).to_be_visible()
    expect(page.get_by_role("link", name="cy@example.com")).to_have_count(0)
    assert Contact.objects.get(email_address="cy@example.com").deleted_at is not None
