"""Signing in to the dashboard with Constant Contact in a real browser: login, consent, back signed in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import Connection
from apps.v3.account.models import AccountMembership

from .conftest import PASSWORD, Service

pytestmark = pytest.mark.browser


def test_sign_in_through_the_consent_page(page: Page, service: Service, cc_owner: AccountMembership) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("button", name="Sign in with Constant Contact").click()

    # The service's own sign-in page: type like a person, Tab to the password, Enter submits.
    expect(page).to_have_url(re.compile(r"/oauth2/login/"))
    username = page.get_by_label("Username")
    expect(username).to_be_focused()  # autofocus
    username.press_sequentially(cc_owner.user.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # The consent page names the application and every scope it asks for.
    expect(page).to_have_url(re.compile(r"/oauth2/default/v1/authorize"))
    expect(page.get_by_role("heading", name="Allow ctctdash dashboard to use your account?")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {cc_owner.user.username}")).to_be_visible()
    scopes = page.get_by_role("list").filter(has_text="account_read").get_by_role("listitem")
    expect(scopes).to_have_count(5)
    assert sorted(re.sub(r"\s+", " ", text) for text in scopes.all_inner_texts()) == [
        "account_read — Read account data",
        "account_update — Modify account data",
        "campaign_data — Read or modify email campaign data",
        "contact_data — Read or modify contact data",
        "offline_access — Stay connected (refresh tokens)",
    ]
    page.get_by_role("button", name="Allow").click()

    # Back on the dashboard, signed in, the header showing the new connection.
    expect(page).to_have_url(f"{service.url}/")
    header = page.get_by_role("banner")
    expect(header.get_by_role("button", name="Sign out")).to_be_visible()
    switcher = header.locator("summary")
    expect(switcher).to_have_text(re.compile(r"Active connection:\s*Harbor Bakery"))
    expect(page.get_by_role("main")).to_contain_text("You are working in Harbor Bakery")

    # The switcher opens from the keyboard and lists the connection under its workspace.
    switcher.focus()
    page.keyboard.press("Enter")
    expect(header.get_by_role("button", name="Harbor Bakery")).to_be_visible()
    expect(header.get_by_role("link", name="Workspaces and connections")).to_be_visible()

    connection = Connection.objects.get()
    assert connection.encoded_account_id == cc_owner.account.encoded_account_id
    assert connection.authorized_as == cc_owner.user.username


def test_denying_consent_leaves_the_dashboard_signed_out(
    page: Page, service: Service, cc_owner: AccountMembership
) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Constant Contact").click()
    page.get_by_label("Username").fill(cc_owner.user.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()  # still on the service's sign-in page
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("button", name="Deny").click()

    expect(page.get_by_role("heading", name="Sign-in cancelled")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    assert not Connection.objects.exists()
