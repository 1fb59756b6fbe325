"""The built-in service's sign-in page as a person meets it: readable fields, and the demo login named when embedded."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from apps.v3.account.provisioning import DEMO_USERNAME

pytestmark = pytest.mark.browser


def _field_width(page: Page, label: str) -> float:
    box = page.get_by_label(label).bounding_box()
    assert box is not None
    return float(box["width"])


def test_the_fields_are_sized_for_reading_and_the_demo_login_is_named(page: Page, settings: Any) -> None:
    settings.DEBUG = True  # the embedded service of `make run`
    get_user_model().objects.create_user(DEMO_USERNAME, password="not-shown")
    page.goto("/oauth2/login/")
    # A browser's default text field is about 150 px wide: the page's own style makes it a real field.
    assert _field_width(page, "Username") >= 250
    assert _field_width(page, "Password") >= 250
    hint = page.locator("#demo-hint")
    expect(hint).to_contain_text(f"sign in as {DEMO_USERNAME}")
    expect(hint).to_contain_text("ctctdash-demo")
    assert "not-shown" not in page.content()


def test_a_deployed_service_names_no_account(page: Page, settings: Any) -> None:
    settings.DEBUG = False
    get_user_model().objects.create_user(DEMO_USERNAME, password="not-shown")
    page.goto("/oauth2/login/")
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.locator("#demo-hint")).to_have_count(0)
