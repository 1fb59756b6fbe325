"""The contacts table in a real browser: searching any part of names and email addresses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.v3.contacts.models import Contact

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
