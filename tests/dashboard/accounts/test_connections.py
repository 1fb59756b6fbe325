"""Connections over real HTTP: refresh through the client, revocation, reconnecting, adding accounts."""

from __future__ import annotations

import time
from typing import Any

import requests

from apps.accounts.models import Connection, Workspace
from apps.accounts.services import client_for_connection
from tests.v3.factories import MembershipFactory

from .conftest import CLIENT_ID, CLIENT_SECRET, Service


def revoke(service: Service, refresh_token: str) -> None:
    """Revoke a grant at the service, as an account owner removing the app's access would."""
    response = requests.post(
        f"{service.url}/oauth2/default/v1/revoke",
        data={"token": refresh_token, "token_type_hint": "refresh_token"},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    assert response.status_code == 200


def test_an_expired_token_is_refreshed_and_saved_back_encrypted(service: Service, cc_owner: Any) -> None:
    service.browser().sign_in(cc_owner.user.username)
    connection = Connection.objects.get()
    old = connection.token
    connection.token = {**old, "expires_at": time.time() - 60}
    connection.save()

    with client_for_connection(Connection.objects.get()) as client:
        summary = client.account_services.get_account_by_id()

    assert summary["encoded_account_id"] == cc_owner.account.encoded_account_id
    new = Connection.objects.get().token
    assert new["refresh_token"] != old["refresh_token"], "refresh tokens rotate on use"
    assert new["access_token"] != old["access_token"] and new["expires_at"] > time.time()
    assert new["refresh_token"] not in Connection.objects.get().token_ciphertext


def test_a_revoked_token_leads_to_the_reconnect_page_and_reconnecting_restores_it(
    service: Service, cc_owner: Any
) -> None:
    browser = service.browser()
    browser.sign_in(cc_owner.user.username)
    connection = Connection.objects.get()
    assert "Harbor Bakery" in browser.get(f"/accounts/connections/{connection.pk}/").text
    revoke(service, connection.token["refresh_token"])

    page = browser.get(f"/accounts/connections/{connection.pk}/")

    assert page.url == f"{service.url}/accounts/reconnect/{connection.pk}/"
    assert "no longer accepts" in page.text and ">Reconnect</button>" in page.text
    assert "needs reconnecting" in page.text  # the header's switcher says so too
    assert Connection.objects.get().status == Connection.Status.RECONNECT

    # "Reconnect" restarts the OAuth flow; the service still knows the user, so only consent is asked.
    done = browser.authorize(browser.start_flow(page, ">Reconnect</button>"), username=None)

    assert done.url == f"{service.url}/accounts/workspaces/{connection.workspace_id}/"
    assert "Harbor Bakery is reconnected" in done.text
    restored = Connection.objects.get()
    assert restored.status == Connection.Status.ACTIVE
    assert restored.token["access_token"] != connection.token["access_token"]
    assert "Sign out" in done.text, "the dashboard user stayed signed in throughout"
    assert browser.get(f"/accounts/connections/{connection.pk}/").url.endswith(
        f"/accounts/connections/{connection.pk}/"
    )


def test_reconnecting_as_another_account_is_refused(service: Service, cc_owner: Any) -> None:
    browser = service.browser()
    browser.sign_in(cc_owner.user.username)
    connection = Connection.objects.get()
    other = MembershipFactory(account__organization_name="Corner Florist")
    page = browser.get(f"/accounts/reconnect/{connection.pk}/")
    start = browser.start_flow(page, ">Reconnect</button>")
    browser.forget_service_session()
    done = browser.authorize(start, other.user.username)
    assert done.url == page.url
    assert "different Constant Contact account (Corner Florist)" in done.text
    assert Connection.objects.get().token == connection.token


def test_an_agency_connects_a_second_account_to_its_workspace(service: Service, cc_owner: Any) -> None:
    client_user = MembershipFactory(account__organization_name="Corner Florist")
    browser = service.browser()
    browser.sign_in(cc_owner.user.username)
    form = browser.get("/accounts/workspaces/new/")
    agency_page = browser.post_form(form, "Create workspace", {"name": "Blue Agency", "kind": "agency"})
    agency = Workspace.objects.get(name="Blue Agency")
    assert agency_page.url == f"{service.url}/accounts/workspaces/{agency.pk}/"
    assert "No Constant Contact account is connected" in agency_page.text

    start = browser.start_flow(agency_page, "Connect a Constant Contact account")
    browser.forget_service_session()  # the client's own Constant Contact user signs in this time
    done = browser.authorize(start, client_user.user.username)

    assert "Corner Florist is connected to Blue Agency" in done.text
    florist = Connection.objects.get(workspace=agency)
    assert florist.encoded_account_id == client_user.account.encoded_account_id
    assert florist.authorized_as == client_user.user.username
    assert Connection.objects.count() == 2  # the sign-in's own connection is untouched
    # The header now lists both connections, grouped by workspace, the new one active.
    assert 'aria-current="true">Corner Florist</button>' in done.text and "Harbor Bakery" in done.text
