"""A contact's SMS number edited in a real browser (the API's refusal at the field first), then a note added
and deleted on its page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.v3.contacts.models import Contact

from .conftest import Connected

pytestmark = pytest.mark.browser


def test_edit_the_sms_number_then_add_and_delete_a_note(page: Page, connected: Connected) -> None:
    ann = Contact.objects.create(
        account=connected.account,
        email_address="ann@example.com",
        first_name="Ann",
        sms_address="15551234567",
        sms_permission="explicit",
    )

    page.goto(f"/contacts/{ann.contact_id}/")
    reach = page.get_by_role("region", name="Phones and addresses")
    expect(reach).to_contain_text("15551234567")
    expect(page.get_by_role("region", name="Notes")).to_contain_text("No notes yet.")
    page.get_by_role("link", name="Edit", exact=True).click()

    # A number the API cannot read: its message at the field, focused and describing it.
    sms = page.get_by_label("SMS number")
    expect(sms).to_have_value("15551234567")
    expect(page.get_by_label("SMS permission")).to_have_value("explicit")
    sms.fill("12")
    page.get_by_role("button", name="Save changes").click()
    sms = page.get_by_label("SMS number")
    expect(sms).to_be_focused()
    expect(sms).to_have_attribute("aria-invalid", "true")
    expect(sms).to_have_accessible_description(re.compile(r"is not a phone number of 4 to 15 digits"))

    sms.fill("+1 555 987 6543")
    page.get_by_label("SMS permission").select_option("pending_confirmation")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status").filter(has_text="ann@example.com was saved.")).to_be_visible()
    reach = page.get_by_role("region", name="Phones and addresses")
    expect(reach).to_contain_text("15559876543")
    expect(reach).to_contain_text("Pending confirmation")
    ann.refresh_from_db()
    assert (ann.sms_address, ann.sms_permission) == ("15559876543", "pending_confirmation")

    # A note, added in place by htmx: the page stays, the section is swapped.
    notes = page.get_by_role("region", name="Notes")
    notes.get_by_label("New note").fill("Prefers texts after 10am")
    notes.get_by_role("button", name="Add note").click()
    notes = page.get_by_role("region", name="Notes")
    expect(notes.get_by_role("status")).to_have_text("The note was added.")
    expect(notes.get_by_role("article")).to_have_count(1)
    expect(notes.get_by_role("article")).to_contain_text("Prefers texts after 10am")
    expect(notes.get_by_label("New note")).to_have_value("")
    assert list(ann.notes.values_list("content", flat=True)) == ["Prefers texts after 10am"]

    # Deleting asks first.
    notes.get_by_role("link", name=re.compile(r"^Delete note")).click()
    expect(page.get_by_role("heading", name="Delete this note about ann@example.com?")).to_be_visible()
    assert ann.notes.exists()
    page.get_by_role("button", name="Delete note").click()
    expect(page.get_by_role("status").filter(has_text="The note was deleted.")).to_be_visible()
    expect(page.get_by_role("region", name="Notes")).to_contain_text("No notes yet.")
    assert not ann.notes.exists()
