"""A provisioned account is a real one: its owner signs in on the OAuth pages and uses the token."""

from __future__ import annotations

from typing import Any

import requests
from oauth2_provider.models import Application
from requests_oauthlib import OAuth2Session

from apps.v3.contacts.models import Contact
from apps.v3.contract import validate_django_response
from tests.live import REDIRECT, SECRET
from tests.v3.oauth_browser import authorize
from tests.v3.partners.support import make_partner, provisioned

PASSWORD = "a long enough password"


def test_the_new_owner_signs_in_through_the_oauth_pages_and_creates_a_contact(
    server: str, transactional_db: Any
) -> None:
    partner = make_partner()
    account_id = provisioned(partner, login_name="fresh.owner", password=PASSWORD)
    app = Application.objects.create(
        name="Owner's integration",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT,
        client_secret=SECRET,
    )
    oauth = OAuth2Session(app.client_id, redirect_uri=REDIRECT, scope=["contact_data"], pkce="S256")
    url, _ = oauth.authorization_url(server + "/oauth2/default/v1/authorize")
    location = authorize(url, "fresh.owner", PASSWORD).headers["Location"]
    token = oauth.fetch_token(
        server + "/oauth2/default/v1/token",
        authorization_response=location,
        client_secret=SECRET,
        include_client_id=True,
    )
    created = requests.post(
        server + "/v3/contacts",
        json={"email_address": {"address": "first@example.com"}, "create_source": "Account"},
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    validate_django_response(created)
    assert created.status_code == 201, created.text
    contact = Contact.objects.get(contact_id=created.json()["contact_id"])
    assert contact.account.encoded_account_id == account_id
    # The partner's list now shows the owner's sign-in.
    [listed] = partner.get("/partner/accounts").json()["site_owner_list"]
    assert listed["last_login_date"] and listed["subscriber_count"] == 2
