"""The authorization server over real HTTP, with requests-oauthlib as the client."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauthlib.oauth2 import InvalidGrantError
from requests_oauthlib import OAuth2Session

from apps.v3.account.models import AccountMembership, Partner, Role
from apps.v3.account.provisioning import api_key_digest
from apps.v3.contacts.models import Contact
from apps.v3.contract import validate_django_response
from apps.v3.oauth import tokens
from apps.v3.oauth.models import RefreshTokenAccount
from tests.live import PASSWORD, REDIRECT, SECRET
from tests.v3.factories import AccountFactory, MembershipFactory
from tests.v3.oauth_browser import authorize, consent_page, form_fields

pytestmark = pytest.mark.usefixtures("plain_http")


def make_app(client_type: str = Application.CLIENT_CONFIDENTIAL, **kw: Any) -> Application:
    return Application.objects.create(
        name=kw.pop("name", "Test Integration"),
        client_type=client_type,
        authorization_grant_type=kw.pop("grant", Application.GRANT_AUTHORIZATION_CODE),
        redirect_uris=REDIRECT,
        client_secret=SECRET if client_type == Application.CLIENT_CONFIDENTIAL else "",
        **kw,
    )


def v3_get(server: str, token: str, path: str = "/v3/account/user/privileges", **headers: str) -> requests.Response:
    response = requests.get(server + path, headers={"Authorization": f"Bearer {token}", **headers}, timeout=10)
    validate_django_response(response)
    return response


def session_for(app: Application, scopes: list[str], pkce: bool = True) -> OAuth2Session:
    return OAuth2Session(app.client_id, redirect_uri=REDIRECT, scope=scopes, pkce="S256" if pkce else None)


def exchange(
    oauth: OAuth2Session, server: str, location: str, client_secret: str | None = SECRET, **kw: Any
) -> dict[str, Any]:
    """The token endpoint's answer to the authorization response at ``location``."""
    token: dict[str, Any] = oauth.fetch_token(
        server + "/oauth2/default/v1/token", authorization_response=location, client_secret=client_secret, **kw
    )
    return token


def run_code_flow(server: str, owner: Any, app: Application, scopes: list[str]) -> tuple[OAuth2Session, str, dict]:
    oauth = session_for(app, scopes)
    url, state = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    redirect = authorize(url, owner.user.username, PASSWORD)
    location = redirect.headers["Location"]
    assert parse_qs(urlsplit(location).query)["state"] == [state]
    secret = SECRET if app.client_type == Application.CLIENT_CONFIDENTIAL else None
    return oauth, location, exchange(oauth, server, location, client_secret=secret, include_client_id=True)


def test_code_flow_with_pkce_gives_a_working_jwt(server: str, owner: Any) -> None:
    app = make_app()
    oauth, _, token = run_code_flow(server, owner, app, ["account_read", "contact_data"])
    assert "refresh_token" not in token, "no offline_access, no refresh token"
    assert token["expires_in"] == 86400
    response = v3_get(server, token["access_token"])
    assert response.status_code == 200
    # The token verifies against the published key set, and names its account and scopes.
    jwks = jwt.PyJWKClient(server + "/oauth2/default/v1/keys")
    key = jwks.get_signing_key_from_jwt(token["access_token"])
    claims = jwt.decode(token["access_token"], key.key, algorithms=["RS256"], audience="https://api.cc.email/v3")
    assert claims["account"] == owner.account.encoded_account_id
    assert set(claims["scp"]) == {"account_read", "contact_data"}
    assert claims["cid"] == app.client_id
    assert jwt.get_unverified_header(token["access_token"])["kid"] == key.key_id


def test_consent_page_names_the_application_and_each_scope(server: str, owner: Any) -> None:
    app = make_app(name="Acme Sync")
    url, _ = session_for(app, ["account_read", "contact_data"]).authorization_url(
        server + "/oauth2/default/v1/authorize"
    )
    html = consent_page(url, owner.user.username, PASSWORD).text
    assert "Acme Sync" in html
    assert "account_read" in html and "contact_data" in html


def test_denied_consent_returns_access_denied_with_state(server: str, owner: Any) -> None:
    app = make_app()
    oauth = session_for(app, ["account_read"])
    url, state = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    query = parse_qs(urlsplit(authorize(url, owner.user.username, PASSWORD, allow=False).headers["Location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == [state]


def test_public_clients_need_s256_and_plain_is_refused(server: str, owner: Any) -> None:
    app = make_app(Application.CLIENT_PUBLIC)
    no_pkce = session_for(app, ["account_read"], pkce=False)
    url, _ = no_pkce.authorization_url(server + "/oauth2/default/v1/authorize")
    location = authorize_expecting_error(url, owner)
    assert "code_challenge" in location or "invalid_request" in location
    plain_url = (
        server
        + "/oauth2/default/v1/authorize?response_type=code&client_id="
        + app.client_id
        + "&redirect_uri="
        + REDIRECT
        + "&scope=account_read&state=x&code_challenge=abc&code_challenge_method=plain"
    )
    assert "unsupported" in authorize_expecting_error(
        plain_url, owner
    ) or "invalid_request" in authorize_expecting_error(plain_url, owner)
    # With S256 the public client completes the flow with no secret.
    _, _, token = run_code_flow(server, owner, app, ["account_read"])
    assert v3_get(server, token["access_token"]).status_code == 200


def authorize_expecting_error(url: str, owner: Any) -> str:
    """Sign in and return where the server sent the browser (an error redirect or page)."""
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    fields = form_fields(page.text)
    fields.update(username=owner.user.username, password=PASSWORD)
    response = browser.post(page.url, data=fields, allow_redirects=False, timeout=10)
    follow = browser.get(urljoin(page.url, response.headers["Location"]), allow_redirects=False, timeout=10)
    return follow.headers.get("Location", "") + follow.text


def test_redirect_uri_must_match_exactly(server: str, owner: Any) -> None:
    app = make_app()
    oauth = OAuth2Session(app.client_id, redirect_uri=REDIRECT + "/evil", scope=["account_read"], pkce="S256")
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    assert "redirect" in authorize_expecting_error(url, owner).lower()


def test_reused_code_is_refused_and_revokes_what_it_made(server: str, owner: Any) -> None:
    app = make_app()
    oauth, location, token = run_code_flow(server, owner, app, ["account_read"])
    assert v3_get(server, token["access_token"]).status_code == 200
    again = OAuth2Session(app.client_id, redirect_uri=REDIRECT, pkce="S256")
    again._code_verifier = oauth._code_verifier
    with pytest.raises(InvalidGrantError):
        exchange(again, server, location, include_client_id=True)
    assert v3_get(server, token["access_token"]).status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_fails(server: str, owner: Any) -> None:
    app = make_app()
    oauth, _, token = run_code_flow(server, owner, app, ["account_read", "offline_access"])
    first_refresh = token["refresh_token"]
    fresh = oauth.refresh_token(server + "/oauth2/default/v1/token", client_id=app.client_id, client_secret=SECRET)
    assert fresh["refresh_token"] != first_refresh
    assert v3_get(server, fresh["access_token"]).status_code == 200
    assert v3_get(server, token["access_token"]).status_code == 401, "the replaced access token is revoked"
    stale = OAuth2Session(app.client_id, token={**token, "refresh_token": first_refresh})
    with pytest.raises(InvalidGrantError):
        stale.refresh_token(server + "/oauth2/default/v1/token", client_id=app.client_id, client_secret=SECRET)


def test_revoke_and_introspect(server: str, owner: Any) -> None:
    app = make_app()
    _, _, token = run_code_flow(server, owner, app, ["account_read"])
    introspect = requests.post(
        server + "/oauth2/default/v1/introspect",
        data={"token": token["access_token"]},
        auth=(app.client_id, SECRET),
        timeout=10,
    )
    assert introspect.json()["active"] is True
    revoked = requests.post(
        server + "/oauth2/default/v1/revoke",
        data={"token": token["access_token"], "token_type_hint": "access_token"},
        auth=(app.client_id, SECRET),
        timeout=10,
    )
    assert revoked.status_code == 200
    assert v3_get(server, token["access_token"]).status_code == 401
    after = requests.post(
        server + "/oauth2/default/v1/introspect",
        data={"token": token["access_token"]},
        auth=(app.client_id, SECRET),
        timeout=10,
    )
    assert after.json() == {"active": False}
    anonymous = requests.post(server + "/oauth2/default/v1/introspect", data={"token": "x"}, timeout=10)
    assert anonymous.status_code == 401


def test_expired_token_is_401(server: str, owner: Any) -> None:
    expired = tokens.encode({"account": owner.account.encoded_account_id, "scp": ["account_read"]}, lifetime=-10)
    response = v3_get(server, expired)
    assert response.status_code == 401 and "expired" in response.json()["error_message"]


def test_quota_exceeded_over_http(server: str, owner: Any, settings: Any) -> None:
    settings.V3_RATE_LIMIT_PER_DAY = 2
    app = make_app()
    _, _, token = run_code_flow(server, owner, app, ["account_read"])
    statuses = [v3_get(server, token["access_token"]).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert v3_get(server, token["access_token"]).json()[0]["error_key"] == "quota_exceeded"


# --- partners ---------------------------------------------------------------------------------


@pytest.fixture
def partner(transactional_db: Any) -> Iterator[tuple[Partner, Application, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    app = make_app(grant=Application.GRANT_CLIENT_CREDENTIALS, name="Partner app")
    partner = Partner.objects.create(
        name="Partner", application=app, api_key_digest=api_key_digest("the-api-key"), assertion_public_key=public_pem
    )
    yield partner, app, key


def test_partner_client_credentials_gives_one_hour_token(server: str, partner: Any) -> None:
    _, app, _ = partner
    response = requests.post(
        server + "/partners/oauth2/default/v1/token",
        data={"grant_type": "client_credentials"},
        auth=(app.client_id, SECRET),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 3600 and "refresh_token" not in body
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["partner"] == partner[0].encoded_partner_id and claims["scp"] == ["v3api/general.partner"]
    # A partner token is not an account token: account operations refuse it.
    assert v3_get(server, body["access_token"]).status_code == 403


def jwt_bearer(server: str, app: Application, key: Any, **overrides: Any) -> requests.Response:
    now = int(time.time())
    claims = {
        "iss": app.client_id,
        "sub": app.client_id,
        "aud": server + "/partners/oauth2/default/v1/token",
        "iat": now,
        "exp": now + 300,
        **overrides,
    }
    assertion = jwt.encode(claims, key, algorithm="RS256")
    return requests.post(
        server + "/partners/oauth2/default/v1/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        timeout=10,
    )


def test_partner_jwt_bearer(server: str, partner: Any, settings: Any) -> None:
    settings.SITE_URL = server  # the assertion's audience is this server's partner token URL
    _, app, key = partner
    good = jwt_bearer(server, app, key)
    assert good.status_code == 200, good.text
    assert good.json()["expires_in"] == 3600
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert jwt_bearer(server, app, stranger).json()["error"] == "invalid_grant"
    assert jwt_bearer(server, app, key, exp=int(time.time()) - 60).json()["error"] == "invalid_grant"
    assert jwt_bearer(server, app, key, aud="https://elsewhere").json()["error"] == "invalid_grant"


def test_account_clients_cannot_ask_for_the_partner_scope(server: str, owner: Any) -> None:
    app = make_app()
    oauth = session_for(app, ["v3api/general.partner"])
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    assert "invalid_scope" in authorize_expecting_error(url, owner)


@pytest.mark.urls("tests.v3.partner_gate_urls")
def test_partner_operations_need_the_partner_token_and_its_api_key(partner: Any, make_api: Any) -> None:
    _, app, _ = partner
    token = tokens.encode({"cid": app.client_id, "partner": partner[0].encoded_partner_id, "scp": []}, 3600)
    AccessToken.objects.create(application=app, token=token, expires=timezone.now() + timedelta(hours=1), scope="")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/v3/partner/accounts", **auth, HTTP_X_API_KEY="the-api-key").json() == {"partner": "Partner"}
    assert Client().get("/v3/partner/accounts", **auth).status_code == 403
    assert Client().get("/v3/partner/accounts", **auth, HTTP_X_API_KEY="wrong").status_code == 403
    account_token = make_api().token
    refused = Client().get(
        "/v3/partner/accounts", HTTP_AUTHORIZATION=f"Bearer {account_token}", HTTP_X_API_KEY="the-api-key"
    )
    assert refused.status_code == 403


def test_confidential_clients_may_skip_pkce(server: str, owner: Any) -> None:
    # Existing integrations that authenticate with a secret and send no PKCE keep working.
    app = make_app()
    oauth = session_for(app, ["account_read"], pkce=False)
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    location = authorize(url, owner.user.username, PASSWORD).headers["Location"]
    token = exchange(oauth, server, location, include_client_id=True)
    assert v3_get(server, token["access_token"]).status_code == 200


def test_implicit_flow_returns_the_token_in_the_fragment(server: str, owner: Any) -> None:
    app = make_app(Application.CLIENT_PUBLIC, grant=Application.GRANT_IMPLICIT)
    url = (
        f"{server}/oauth2/default/v1/authorize?response_type=token&client_id={app.client_id}"
        f"&redirect_uri={REDIRECT}&scope=account_read&state=s1"
    )
    location = authorize(url, owner.user.username, PASSWORD).headers["Location"]
    fragment = parse_qs(urlsplit(location).fragment)
    assert fragment["state"] == ["s1"] and "refresh_token" not in fragment
    assert v3_get(server, fragment["access_token"][0]).status_code == 200


def test_a_token_of_account_a_can_neither_read_nor_change_account_b(server: str, owner: Any) -> None:
    other = MembershipFactory()
    app = make_app()
    _, _, token_a = run_code_flow(server, owner, app, ["account_read", "account_update", "contact_data"])
    _, _, token_b = run_code_flow(server, other, app, ["account_read", "account_update", "contact_data"])

    def call(method: str, token: dict, path: str, body: Any = None) -> requests.Response:
        response = requests.request(
            method, server + path, json=body, headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10
        )
        validate_django_response(response)
        return response

    created = call(
        "POST", token_b, "/v3/contacts", {"email_address": {"address": "b@example.com"}, "create_source": "Account"}
    )
    assert created.status_code == 201
    contact_id = created.json()["contact_id"]
    path = f"/v3/contacts/{contact_id}"
    assert call("GET", token_a, path).status_code == 404
    assert (
        call(
            "PUT", token_a, path, {"email_address": {"address": "x@example.com"}, "update_source": "Account"}
        ).status_code
        == 404
    )
    assert call("DELETE", token_a, path).status_code == 404
    assert call("GET", token_a, "/v3/contacts").json()["contacts"] == []
    # Account A's summary is A's; changing it leaves B's alone.
    assert call("GET", token_a, "/v3/account/summary").json()["encoded_account_id"] == owner.account.encoded_account_id
    assert call("PUT", token_a, "/v3/account/summary", {"organization_name": "Changed by A"}).status_code == 200
    assert call("GET", token_b, "/v3/account/summary").json()["organization_name"] != "Changed by A"
    after = call("GET", token_b, path).json()
    assert after["email_address"]["address"] == "b@example.com" and "deleted_at" not in after


# --- choosing the account ---------------------------------------------------------------------


@pytest.fixture
def two_accounts(owner: AccountMembership) -> tuple[AccountMembership, AccountMembership]:
    """``owner``'s first membership (A) and a second one (B), each account holding one contact."""
    second = MembershipFactory(
        user=owner.user, account=AccountFactory(organization_name="Harbor Bakery"), role=Role.CAMPAIGN_CREATOR
    )
    Contact.objects.create(account=owner.account, email_address="only-in-a@example.com")
    Contact.objects.create(account=second.account, email_address="only-in-b@example.com")
    return owner, second


def contact_emails(server: str, token: str) -> list[str]:
    response = v3_get(server, token, "/v3/contacts")
    assert response.status_code == 200, response.text
    return [contact["email_address"]["address"] for contact in response.json()["contacts"]]


def account_claim(token: str) -> str:
    return str(tokens.decode(token)["account"])


def test_a_user_with_two_accounts_authorizes_the_one_chosen_and_refresh_keeps_it(
    server: str, two_accounts: tuple[AccountMembership, AccountMembership]
) -> None:
    first, second = two_accounts
    app = make_app()
    oauth = session_for(app, ["account_read", "contact_data", "offline_access"])
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    browser = requests.Session()
    page = consent_page(url, first.user.username, PASSWORD, browser=browser)
    # One radio per membership, with the organization and the role; the first is preselected.
    radios = re.findall(r'<input type="radio" name="account" value="([^"]+)"[^>]*>', page.text)
    assert radios == [first.account.encoded_account_id, second.account.encoded_account_id]
    assert form_fields(page.text)["account"] == first.account.encoded_account_id
    assert "Harbor Bakery" in page.text and "Campaign Creator" in page.text
    assert first.account.organization_name in page.text and "Account Owner" in page.text

    location = authorize(
        url, first.user.username, PASSWORD, account=second.account.encoded_account_id, browser=browser
    ).headers["Location"]
    token = exchange(oauth, server, location)
    assert account_claim(token["access_token"]) == second.account.encoded_account_id
    assert contact_emails(server, token["access_token"]) == ["only-in-b@example.com"]
    summary = v3_get(server, token["access_token"], "/v3/account/summary").json()
    assert summary["encoded_account_id"] == second.account.encoded_account_id

    fresh = oauth.refresh_token(server + "/oauth2/default/v1/token", client_id=app.client_id, client_secret=SECRET)
    assert account_claim(fresh["access_token"]) == second.account.encoded_account_id
    assert contact_emails(server, fresh["access_token"]) == ["only-in-b@example.com"]
    again = oauth.refresh_token(server + "/oauth2/default/v1/token", client_id=app.client_id, client_secret=SECRET)
    assert account_claim(again["access_token"]) == second.account.encoded_account_id

    # The next consent page in the same sign-in preselects the account used last.
    next_url, _ = session_for(app, ["account_read"]).authorization_url(server + "/oauth2/default/v1/authorize")
    page = consent_page(next_url, first.user.username, PASSWORD, browser=browser)
    assert form_fields(page.text)["account"] == second.account.encoded_account_id


def test_a_forged_account_choice_is_refused_on_the_page(
    server: str, two_accounts: tuple[AccountMembership, AccountMembership]
) -> None:
    first, _ = two_accounts
    stranger = MembershipFactory()  # an account the user does not belong to
    app = make_app()
    url, _ = session_for(app, ["account_read", "contact_data"]).authorization_url(
        server + "/oauth2/default/v1/authorize"
    )
    browser = requests.Session()
    for forged in (stranger.account.encoded_account_id, "not-an-account", ""):
        page = consent_page(url, first.user.username, PASSWORD, browser=browser)
        fields = {**form_fields(page.text), "allow": "Authorize", "account": forged}
        refused = browser.post(page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False, timeout=10)
        assert refused.status_code == 400, refused.text[:2000]
        assert "Location" not in refused.headers
        assert "This authorization request cannot be completed" in refused.text
        expected = f"“{forged}” is not one of them" if forged else "Choose the account to authorize."
        assert expected in refused.text
    assert not app.grant_set.exists(), "no code was issued"
    assert not AccessToken.objects.filter(application=app).exists()


def test_one_membership_consent_looks_as_before_and_the_account_may_be_left_out(server: str, owner: Any) -> None:
    app = make_app()
    oauth = session_for(app, ["account_read", "contact_data"])
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    browser = requests.Session()
    page = consent_page(url, owner.user.username, PASSWORD, browser=browser)
    assert 'type="radio"' not in page.text and "<fieldset" not in page.text
    assert re.search(r'<input type="hidden" name="account" value="' + owner.account.encoded_account_id, page.text)
    # A form posted without the account (as before accounts were chosen) still authorizes the only one.
    fields = {k: v for k, v in form_fields(page.text).items() if k != "account"}
    redirect = browser.post(
        page.url,
        data={**fields, "allow": "Authorize"},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert redirect.status_code == 302, redirect.text[:2000]
    token = exchange(oauth, server, urljoin(page.url, redirect.headers["Location"]))
    assert account_claim(token["access_token"]) == owner.account.encoded_account_id
    # Even with one account, a tampered hidden field is refused.
    stranger = MembershipFactory()
    page = consent_page(url, owner.user.username, PASSWORD, browser=browser)
    fields = {**form_fields(page.text), "allow": "Authorize", "account": stranger.account.encoded_account_id}
    refused = browser.post(page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False, timeout=10)
    assert refused.status_code == 400 and "is not one of them" in refused.text


def test_leaving_the_chosen_account_stops_its_code_and_refresh(
    server: str, two_accounts: tuple[AccountMembership, AccountMembership]
) -> None:
    first, second = two_accounts
    app = make_app()
    oauth = session_for(app, ["account_read", "offline_access"])
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    location = authorize(url, first.user.username, PASSWORD, account=second.account.encoded_account_id).headers[
        "Location"
    ]
    token = exchange(oauth, server, location)
    assert RefreshTokenAccount.objects.get().account == second.account
    second.delete()
    # Not a quiet fallback to the user's other account: the refresh is refused.
    with pytest.raises(InvalidGrantError):
        oauth.refresh_token(server + "/oauth2/default/v1/token", client_id=app.client_id, client_secret=SECRET)
    assert v3_get(server, token["access_token"]).status_code == 401

    # A code granted for an account the user has left by the time it is traded is refused too.
    rejoined = MembershipFactory(user=first.user, account=second.account)
    oauth = session_for(app, ["account_read"])
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    location = authorize(url, first.user.username, PASSWORD, account=second.account.encoded_account_id).headers[
        "Location"
    ]
    rejoined.delete()
    with pytest.raises(InvalidGrantError):
        exchange(oauth, server, location)


def approved_without_page(url: str, browser: requests.Session) -> str:
    """The redirect to the client when the service approves without showing the consent page."""
    response = browser.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:2000]
    return urljoin(url, response.headers["Location"])


def test_an_automatic_approval_reuses_the_account_chosen_for_that_application_only(
    server: str, two_accounts: tuple[AccountMembership, AccountMembership]
) -> None:
    first, second = two_accounts
    app_x, app_y = make_app(name="X"), make_app(name="Y")
    browser = requests.Session()

    def start(app: Application, **extra: str) -> tuple[OAuth2Session, str]:
        """A client session (it keeps the PKCE verifier) and its authorization URL."""
        oauth = session_for(app, ["account_read", "contact_data"])
        url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize", **extra)
        return oauth, str(url)

    def token_from(oauth: OAuth2Session, location: str) -> str:
        token = exchange(oauth, server, location)
        return str(token["access_token"])

    oauth, url = start(app_x)
    location = authorize(url, first.user.username, PASSWORD, browser=browser).headers["Location"]
    assert account_claim(token_from(oauth, location)) == first.account.encoded_account_id
    oauth, url = start(app_y)
    account_b = second.account.encoded_account_id
    location = authorize(url, first.user.username, PASSWORD, account=account_b, browser=browser).headers["Location"]
    assert account_claim(token_from(oauth, location)) == account_b

    # X asks again with approval_prompt=auto: no page, and X keeps the account chosen for X, not Y's.
    oauth, url = start(app_x, approval_prompt="auto")
    token = token_from(oauth, approved_without_page(url, browser))
    assert account_claim(token) == first.account.encoded_account_id
    assert contact_emails(server, token) == ["only-in-a@example.com"]


def test_an_application_that_skips_consent_still_asks_a_user_with_several_accounts_once(
    server: str, two_accounts: tuple[AccountMembership, AccountMembership]
) -> None:
    first, second = two_accounts
    app = make_app(skip_authorization=True)
    oauth = session_for(app, ["account_read", "contact_data"])
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    browser = requests.Session()
    page = consent_page(url, first.user.username, PASSWORD, browser=browser)
    assert "authorizationForm" in page.text and 'type="radio"' in page.text, "never chosen: the page is shown"
    location = authorize(
        url, first.user.username, PASSWORD, account=second.account.encoded_account_id, browser=browser
    ).headers["Location"]
    exchange(oauth, server, location)

    # Chosen once, the application skips the page again, for that account.
    oauth = session_for(app, ["account_read", "contact_data"])
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    location = approved_without_page(url, browser)
    token = exchange(oauth, server, location)
    assert account_claim(token["access_token"]) == second.account.encoded_account_id


def test_an_application_that_skips_consent_asks_nothing_of_a_user_with_one_account(server: str, owner: Any) -> None:
    app = make_app(skip_authorization=True)
    oauth = session_for(app, ["account_read"])
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    browser = requests.Session()
    page = browser.get(url, timeout=10)  # to the login page
    fields = {**form_fields(page.text), "username": owner.user.username, "password": PASSWORD}
    browser.post(page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False, timeout=10)
    token = exchange(oauth, server, approved_without_page(url, browser))
    assert account_claim(token["access_token"]) == owner.account.encoded_account_id
