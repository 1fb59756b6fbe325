"""Signing in to the dashboard with the built-in service, over real HTTP, as a browser would."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.sessions.models import Session
from django.db import connection as db

from apps.accounts.models import Connection, Membership, Role, Workspace

from .conftest import Service


def stored_ciphertexts() -> list[str]:
    """The token column exactly as the database holds it."""
    with db.cursor() as cursor:
        cursor.execute("SELECT token_ciphertext FROM accounts_connection")
        return [row[0] for row in cursor.fetchall()]


def test_sign_in_creates_a_workspace_and_an_encrypted_connection(service: Service, cc_owner: Any) -> None:
    browser = service.browser()
    redirect = browser.start_sign_in()

    # The authorization request: code flow, PKCE S256, the five scopes, the dashboard's client id.
    query = parse_qs(urlsplit(redirect.headers["Location"]).query)
    assert redirect.headers["Location"].startswith(f"{service.url}/oauth2/default/v1/authorize?")
    assert query["response_type"] == ["code"] and query["client_id"] == ["ctctdash-dashboard"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert set(query["scope"][0].split()) == {
        "account_read",
        "account_update",
        "contact_data",
        "campaign_data",
        "offline_access",
    }

    page = browser.authorize(redirect, cc_owner.user.username)

    assert page.status_code == 200 and page.url == f"{service.url}/"
    assert "Sign out" in page.text and "Harbor Bakery" in page.text  # the header shows the connection
    (connection,) = Connection.objects.all()
    account_id = cc_owner.account.encoded_account_id
    assert connection.encoded_account_id == account_id
    assert connection.api_base_url == f"{service.url}/v3"
    assert connection.token_url == f"{service.url}/oauth2/default/v1/token"
    assert connection.authorized_as == cc_owner.user.username
    assert connection.status == Connection.Status.ACTIVE

    # The first sign-in made the user's own workspace, named for the account, with them as owner.
    (membership,) = Membership.objects.select_related("user", "workspace").all()
    assert membership.role == Role.OWNER and membership.workspace == connection.workspace
    assert membership.workspace.name == "Harbor Bakery"
    assert membership.user.has_usable_password() is False  # no local password for dashboard users

    # Encrypted at rest: neither token appears in the column, which decrypts to the working token.
    token = connection.token
    (ciphertext,) = stored_ciphertexts()
    assert token["access_token"] not in ciphertext and token["refresh_token"] not in ciphertext
    assert token["expires_at"] > 0
    summary = requests.get(
        f"{service.url}/v3/account/summary", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10
    )
    assert summary.status_code == 200 and summary.json()["encoded_account_id"] == account_id

    # Nowhere else in plaintext: allauth kept no token, the login's data holds none, nor any session.
    assert not SocialToken.objects.exists()
    (social,) = SocialAccount.objects.all()
    assert social.provider == "constantcontact" and social.user == membership.user
    assert social.extra_data["sub"] == cc_owner.user.username and social.extra_data["account"] == account_id
    assert token["access_token"] not in str(social.extra_data)
    for session in Session.objects.all():
        assert token["access_token"] not in str(session.get_decoded())


def test_signing_in_again_reuses_the_workspace_and_connection(service: Service, cc_owner: Any) -> None:
    first = service.browser()
    first.sign_in(cc_owner.user.username)
    token_before = Connection.objects.get().token
    second = service.browser()
    page = second.sign_in(cc_owner.user.username)
    assert "Harbor Bakery" in page.text
    assert Workspace.objects.count() == 1 and SocialAccount.objects.count() == 1
    assert Connection.objects.get().token["access_token"] != token_before["access_token"]


def test_the_login_page_offers_only_constant_contact(service: Service, transactional_db: Any) -> None:
    browser = service.browser()
    page = browser.get("/accounts/login/")
    assert "Sign in with Constant Contact" in page.text
    assert 'type="password"' not in page.text and "Sign up" not in page.text
    # Local passwords are refused outright, and there is no sign-up or password reset.
    refused = browser.session.post(
        f"{service.url}/accounts/login/",
        data={"login": "x", "password": "y", "csrfmiddlewaretoken": browser.session.cookies.get("csrftoken", "")},
        headers={"Referer": page.url},
        timeout=10,
    )
    assert refused.status_code == 403
    assert browser.get("/accounts/signup/").status_code == 404
    assert browser.get("/accounts/password/reset/").status_code == 404


def test_signing_in_at_the_service_does_not_sign_in_to_the_dashboard(service: Service, cc_owner: Any) -> None:
    """The authorization server keeps its own session cookie, as a separate origin would."""
    browser = service.browser()
    consent = browser.service_login(browser.session.get(browser.start_sign_in().headers["Location"]), "nobody")
    assert "authorizationForm" not in consent.text  # wrong credentials: still on the service's login page
    consent = browser.service_login(consent, cc_owner.user.username)
    assert "authorizationForm" in consent.text
    home = browser.get("/")
    assert 'href="/accounts/login/">Sign in</a>' in home.text, "the service user is not a dashboard user"
    assert "ctct_authz_sessionid" in browser.session.cookies.get_dict()


def test_denying_consent_signs_nobody_in(service: Service, cc_owner: Any) -> None:
    browser = service.browser()
    redirect = browser.start_sign_in()
    consent_page = browser.service_login(browser.session.get(redirect.headers["Location"]), cc_owner.user.username)
    page = browser.consent(consent_page, allow=False)
    assert "Sign-in cancelled" in page.text
    assert not Connection.objects.exists() and not SocialAccount.objects.exists()


def test_sign_out_is_a_post(service: Service, cc_owner: Any) -> None:
    browser = service.browser()
    home = browser.sign_in(cc_owner.user.username)
    confirm = browser.get("/accounts/logout/")
    assert "Sign out of ctctdash?" in confirm.text
    assert "Sign out" in browser.get("/").text, "a GET does not sign out"
    page = browser.post_form(home, 'action="/accounts/logout/"')
    assert page.url == f"{service.url}/"
    assert 'href="/accounts/login/">Sign in</a>' in page.text
    assert browser.get("/accounts/workspaces/").url.startswith(f"{service.url}/accounts/login/")
