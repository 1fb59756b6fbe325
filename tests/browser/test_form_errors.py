"""The service's refusals in a real browser, in the form's words: at the fields they are about, each
field in error marked for screen readers (``aria-invalid``, described by its error) and to the eye
(a red border, whatever page stylesheet lays the field out)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from apps.v3.contacts.models import Contact, ContactList, CustomField, Segment, Tag

from .conftest import Connected
from .test_segment_builder import after_swap

pytestmark = pytest.mark.browser

# The border app.css gives a field in error, as the browser computes it (the page's --error colour,
# read through an element that uses it, so a dark scheme would compare its own).
BORDER = """(input) => {
  const probe = document.createElement("span");
  probe.style.color = "var(--error)";
  document.body.append(probe);
  const error = getComputedStyle(probe).color;
  probe.remove();
  const style = getComputedStyle(input);
  return {error, color: style.borderTopColor, width: style.borderTopWidth};
}"""


def assert_marked(field: Locator, error: str | re.Pattern[str]) -> None:
    """``field`` is in error: aria-invalid, described by ``error``, with the error border."""
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(error)
    border = field.evaluate(BORDER)
    assert border["color"] == border["error"], f"border {border['color']}, not the error colour {border['error']}"
    assert border["width"] == "2px", border


def assert_unmarked(field: Locator) -> None:
    """``field`` is not in error: no aria-invalid, not the error border."""
    expect(field).not_to_have_attribute("aria-invalid", "true")
    border = field.evaluate(BORDER)
    assert border["color"] != border["error"], border


def test_an_empty_contact_names_the_fields_that_would_do_and_marks_each(page: Page, connected: Connected) -> None:
    page.goto("/contacts/new/")
    page.get_by_role("button", name="Add contact").click()

    words = "Give a first name, last name, email address or SMS number."
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text=words)).to_be_visible()
    expect(page.get_by_text("body:")).to_have_count(0)
    for label in ("Email address", "SMS number", "First name", "Last name"):
        assert_marked(page.get_by_label(label, exact=True), re.compile(re.escape(words)))
    expect(page.get_by_label("Email address", exact=True)).to_be_focused()
    assert_unmarked(page.get_by_label("Job title"))
    assert not Contact.objects.filter(account=connected.account).exists()

    # Any one of them is enough.
    page.get_by_label("First name").fill("Dee")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("status").filter(has_text="Dee was added.")).to_be_visible()


@dataclass(frozen=True)
class Taken:
    """A name an account's thing already has, and the new-thing form that is given it again."""

    make: Callable[[Any], Any]  # makes the existing one in the account
    path: str
    label: str
    typed: str
    button: str
    words: str


TAKEN = [
    pytest.param(
        Taken(
            lambda account: ContactList.objects.create(account=account, name="Newsletter"),
            "/contacts/lists/new/",
            "Name",
            "Newsletter",
            "Create list",
            "A list named “Newsletter” already exists.",
        ),
        id="list",
    ),
    pytest.param(
        Taken(
            lambda account: Tag.objects.create(account=account, name="Regulars"),
            "/contacts/tags/new/",
            "Name",
            "Regulars",
            "Create tag",
            "A tag named “Regulars” already exists.",
        ),
        id="tag",
    ),
    # Labels are the same whatever their case; the message names the label as typed.
    pytest.param(
        Taken(
            lambda account: CustomField.objects.create(
                account=account, label="Shirt size", name="Shirt_size", type="string"
            ),
            "/contacts/custom-fields/new/",
            "Label",
            "shirt size",
            "Create custom field",
            "A custom field named “shirt size” already exists.",
        ),
        id="custom field",
    ),
]


@pytest.mark.parametrize("taken", TAKEN)
def test_a_name_already_taken_is_said_in_the_forms_words_at_the_name(
    page: Page, connected: Connected, taken: Taken
) -> None:
    taken.make(connected.account)

    page.goto(taken.path)
    page.get_by_label(taken.label).fill(taken.typed)
    page.get_by_role("button", name=taken.button).click()

    expect(page.get_by_role("alert")).to_have_text(taken.words)
    assert_marked(page.get_by_label(taken.label), re.compile(re.escape(taken.words)))
    # The form's other fields are not in error.
    for other in page.locator("form input[type=text], form textarea").all():
        if other.get_attribute("name") != taken.label.lower():
            assert_unmarked(other)


def test_a_duplicate_segment_name_is_said_in_the_forms_words_at_the_name(page: Page, connected: Connected) -> None:
    criteria = {
        "version": "1.0.0",
        "criteria": {
            "type": "and",
            "group": [{"source": "contact", "field": "first_name", "op": "contains", "const_value": "an"}],
        },
    }
    Segment.objects.create(account=connected.account, name="Anns", segment_criteria=json.dumps(criteria))

    page.goto("/contacts/segments/new/")
    page.get_by_label("Name").fill("Anns")
    after_swap(page, lambda: page.get_by_label("Condition 1 field", exact=True).select_option(label="First name"))
    page.get_by_label("Condition 1 value", exact=True).fill("an")
    page.get_by_role("button", name="Save segment").last.click()

    expect(page.get_by_role("alert")).to_have_text("A segment named “Anns” already exists.")
    assert_marked(page.get_by_label("Name"), "A segment named “Anns” already exists.")
