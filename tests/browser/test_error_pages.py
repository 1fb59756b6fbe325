"""A visitor who follows the navigation, or a bad link, meets the project's pages: never Django's debug page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_navigation_links_only_sections_that_exist(page: Page) -> None:
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Contacts", "Imports and exports", "Campaigns", "Reports"])
    for name in ("Events", "Reporting", "Partners"):
        expect(nav.get_by_role("link", name=name)).to_have_count(0)


def test_a_bad_link_shows_the_projects_404_even_with_debug_on(page: Page, settings: Any) -> None:
    settings.DEBUG = True  # as under `make run`, where Django would show its URL conf to anyone
    response = page.goto("/no-such-section/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("URLconf")).to_have_count(0)
    page.get_by_role("link", name="Go to the home page").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
