"""Finding one's way in a real browser: who is signed in, the Contacts section's own navigation, the home page."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import Page, expect

from apps.v3.account.models import AccountMembership

from .conftest import PASSWORD, Service

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
