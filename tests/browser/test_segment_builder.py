"""The segment builder in a real browser with JavaScript on: rows added and changed through htmx, then saved."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from apps.v3.contacts.models import Contact, ContactAddress, CustomField, CustomFieldChoice, CustomFieldValue, Segment

from .conftest import Connected

pytestmark = pytest.mark.browser

NEW = "/contacts/segments/new/"


def after_swap(page: Page, action: Callable[[], None]) -> None:
    """Do ``action`` and return once htmx has swapped and settled the answer it caused."""
    page.evaluate(
        "() => { window.__settled = new Promise(done =>"
        " document.body.addEventListener('htmx:afterSettle', () => done(true), {once: true})); }"
    )
    action()
    page.evaluate("() => window.__settled")


def condition(page: Page, number: int, part: str) -> Locator:
    """A row's source, field, operator or value control, by its label."""
    return page.get_by_label(f"Condition {number} {part}", exact=True)


def test_build_a_two_condition_segment_and_save_it(page: Page, connected: Connected) -> None:
    account = connected.account
    ann = Contact.objects.create(account=account, email_address="ann@example.com", first_name="Ann")
    ContactAddress.objects.create(contact=ann, kind="home", city="Baltimore")
    dan = Contact.objects.create(account=account, email_address="dan@example.com", first_name="Dan")
    ContactAddress.objects.create(contact=dan, kind="home", city="Denver")
    Contact.objects.create(account=account, email_address="bo@example.com", first_name="Bo")

    page.goto(NEW)
    expect(page.get_by_role("heading", name="New segment")).to_be_visible()
    page.get_by_label("Name").fill("Baltimore Anns")
    after_swap(page, lambda: condition(page, 1, "field").select_option(label="First name"))
    condition(page, 1, "value").fill("an")

    page.get_by_role("button", name="Add condition").click()
    # The new row arrives, focused on its source, and the first row keeps what was typed.
    expect(condition(page, 2, "source")).to_be_focused()
    expect(condition(page, 1, "field")).to_have_value("first_name")
    expect(condition(page, 1, "value")).to_have_value("an")
    after_swap(page, lambda: condition(page, 2, "field").select_option(label="City"))
    after_swap(page, lambda: condition(page, 2, "operator").select_option(label="is"))
    condition(page, 2, "value").fill("Baltimore")

    after_swap(page, lambda: page.get_by_role("button", name="Preview").click())
    expect(page.get_by_text("1 contact matches:")).to_be_visible()
    page.get_by_role("button", name="Save segment").last.click()

    expect(page.get_by_role("heading", name="Baltimore Anns", level=1)).to_be_visible()
    expect(page.locator(".segment-conditions li")).to_have_text(["First name contains an", "City is Baltimore"])
    expect(page.get_by_role("cell", name="ann@example.com")).to_be_visible()
    segment = Segment.objects.get(account=account, name="Baltimore Anns")
    assert json.loads(segment.segment_criteria)["criteria"]["group"] == [
        {"source": "contact", "field": "first_name", "op": "contains", "const_value": "an"},
        {"source": "contact", "field": "street_address.city", "op": "eq", "const_value": "Baltimore"},
    ]
    expect(page).to_have_url(re.compile(rf"/contacts/segments/{segment.segment_id}/$"))


def test_show_them_all_lists_only_the_segments_contacts(page: Page, connected: Connected) -> None:
    account = connected.account
    for name in ("ann", "bo", "cy"):
        Contact.objects.create(account=account, email_address=f"{name}@example.com", first_name=name.title())
    criteria = {"source": "contact", "field": "first_name", "op": "eq", "const_value": "Bo"}
    segment = Segment.objects.create(
        account=account,
        name="Bos",
        segment_criteria=json.dumps({"version": "1.0.0", "criteria": {"type": "and", "group": [criteria]}}),
    )

    page.goto(f"/contacts/segments/{segment.segment_id}/")
    page.get_by_role("link", name="Show them all on the contacts page").click()

    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    expect(page.get_by_label("Segment")).to_have_value(str(segment.segment_id))
    results = page.locator("#contact-results")
    expect(results.get_by_role("link", name=re.compile("@example.com"))).to_have_text(["bo@example.com"])


def test_a_parameter_the_contacts_page_does_not_read_is_refused_visibly(page: Page, connected: Connected) -> None:
    Contact.objects.create(account=connected.account, email_address="ann@example.com")

    page.goto("/contacts/?segment=1")

    expect(page.get_by_role("alert")).to_have_text("No contacts are listed: this page has no filter called segment.")
    expect(page.get_by_role("link", name="ann@example.com")).to_have_count(0)


def test_a_drop_down_field_offers_its_operators_and_a_picker_of_its_choices(page: Page, connected: Connected) -> None:
    account = connected.account
    size = CustomField.objects.create(account=account, label="Shirt size", name="Shirt_size", type="single_select")
    for order, label in enumerate(("Small", "Medium", "Large"), start=1):
        CustomFieldChoice.objects.create(custom_field=size, choice_id=order, choice_label=label, display_order=order)
    for name, value in (("ann", "Medium"), ("bo", "Large")):
        contact = Contact.objects.create(account=account, email_address=f"{name}@example.com")
        CustomFieldValue.objects.create(contact=contact, custom_field=size, value=value)

    page.goto(NEW)
    page.get_by_label("Name").fill("Medium shirts")
    after_swap(page, lambda: condition(page, 1, "source").select_option(label="Custom field"))
    expect(condition(page, 1, "field")).to_have_value(str(size.custom_field_id))

    operator = condition(page, 1, "operator").locator("option")
    expect(operator).to_have_text(["is", "is not", "is one of", "is none of", "is empty", "is not empty"])
    value = condition(page, 1, "value")
    expect(value.locator("option")).to_have_text(["Small", "Medium", "Large"])
    value.select_option(label="Medium")

    after_swap(page, lambda: condition(page, 1, "operator").select_option(label="is one of"))
    expect(condition(page, 1, "value")).to_have_js_property("multiple", True)
    condition(page, 1, "value").select_option(["Medium", "Large"])
    page.get_by_role("button", name="Save segment").last.click()

    expect(page.get_by_role("heading", name="Medium shirts", level=1)).to_be_visible()
    expect(page.locator(".segment-conditions li")).to_have_text(["Shirt size is one of Medium, Large"])
    group = json.loads(Segment.objects.get(account=account).segment_criteria)["criteria"]["group"]
    assert group == [
        {
            "source": "contact",
            "field": "custom_field",
            "param": str(size.custom_field_id),
            "op": "in",
            "const_value": ["Medium", "Large"],
        }
    ]
    expect(page.get_by_role("cell", name="ann@example.com")).to_be_visible()
    expect(page.get_by_role("cell", name="bo@example.com")).to_be_visible()


def test_a_date_field_takes_a_date_and_its_operators_only(page: Page, connected: Connected) -> None:
    page.goto(NEW)
    after_swap(page, lambda: condition(page, 1, "field").select_option(label="Date added"))

    expect(condition(page, 1, "operator").locator("option")).to_have_text(
        ["is on", "is before", "is after", "is between", "is in the last N days", "is empty", "is not empty"]
    )
    expect(condition(page, 1, "value")).to_have_attribute("type", "date")


def test_is_between_on_a_date_field_takes_two_date_pickers(page: Page, connected: Connected) -> None:
    account = connected.account
    inside = Contact.objects.create(account=account, email_address="in@example.com")
    outside = Contact.objects.create(account=account, email_address="out@example.com")
    Contact.objects.filter(pk=inside.pk).update(created_at="2024-02-10T12:00:00Z")
    Contact.objects.filter(pk=outside.pk).update(created_at="2024-05-10T12:00:00Z")

    page.goto(NEW)
    page.get_by_label("Name").fill("Added in Q1")
    after_swap(page, lambda: condition(page, 1, "field").select_option(label="Date added"))
    after_swap(page, lambda: condition(page, 1, "operator").select_option(label="is between"))
    first, last = condition(page, 1, "first day"), condition(page, 1, "last day")
    expect(first).to_have_attribute("type", "date")
    expect(last).to_have_attribute("type", "date")

    first.fill("2024-01-01")
    page.get_by_role("button", name="Save segment").last.click()
    # One day alone is no range: the row says so and nothing is saved.
    expect(page.get_by_text("Choose both the first and the last day.")).to_be_visible()
    assert not Segment.objects.filter(account=account).exists()

    condition(page, 1, "last day").fill("2024-03-31")
    page.get_by_role("button", name="Save segment").last.click()
    expect(page.get_by_role("heading", name="Added in Q1", level=1)).to_be_visible()
    group = json.loads(Segment.objects.get(account=account).segment_criteria)["criteria"]["group"]
    assert group == [
        {"source": "contact", "field": "created_at", "op": "between", "const_value": ["2024-01-01", "2024-03-31"]}
    ]
    expect(page.get_by_role("cell", name="in@example.com")).to_be_visible()
    expect(page.get_by_role("cell", name="out@example.com")).to_have_count(0)
