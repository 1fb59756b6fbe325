"""The ``constantcontact`` provider: endpoints from settings, signed identities, the local secret fallback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from apps.accounts.adapters import SocialAccountAdapter
from apps.accounts.models import Connection
from apps.accounts.providers.constantcontact import claims, conf
from apps.accounts.providers.constantcontact.views import ConstantContactOAuth2Adapter
from apps.v3.oauth import keys as service_keys
from apps.v3.oauth import tokens as service_tokens

from .conftest import Service

UNREACHABLE = "http://127.0.0.1:9/oauth2/default/v1/keys"


def test_endpoints_and_credentials_are_read_per_request(settings: Settings, rf: RequestFactory, db: Any) -> None:
    settings.CTCT_AUTHORIZE_URL = "https://authz.constantcontact.com/oauth2/default/v1/authorize"
    settings.CTCT_TOKEN_URL = "https://authz.constantcontact.com/oauth2/default/v1/token"
    settings.CTCT_CLIENT_ID, settings.CTCT_CLIENT_SECRET = "my-api-key", "my-secret"
    adapter = ConstantContactOAuth2Adapter(rf.get("/"))
    assert adapter.authorize_url == settings.CTCT_AUTHORIZE_URL
    assert adapter.access_token_url == settings.CTCT_TOKEN_URL
    assert adapter.basic_auth is True  # the token endpoint gets HTTP Basic client authentication
    assert adapter.endpoints.keys_url == "https://authz.constantcontact.com/oauth2/default/v1/keys"
    (app,) = SocialAccountAdapter().list_apps(rf.get("/"), provider="constantcontact")
    assert (app.client_id, app.secret) == ("my-api-key", "my-secret")
    settings.CTCT_CLIENT_ID = "changed"
    assert SocialAccountAdapter().list_apps(None, provider="constantcontact")[0].client_id == "changed"


def test_without_a_secret_the_local_demo_secret_is_read(settings: Settings, tmp_path: Path) -> None:
    settings.CTCT_CLIENT_SECRET = ""
    settings.CTCT_DEMO_SECRETS_FILE = tmp_path / "demo-secrets.json"
    assert conf.current().client_secret == ""  # no file yet: nothing to fall back to
    settings.CTCT_DEMO_SECRETS_FILE.write_text(json.dumps({"dashboard_client_secret": "from-bootstrap"}))
    assert conf.current().client_secret == "from-bootstrap"
    settings.CTCT_CLIENT_SECRET = "from-environment"
    assert conf.current().client_secret == "from-environment"


def test_a_token_signed_by_the_service_verifies(service: Service, transactional_db: Any) -> None:
    token = service_tokens.encode({"sub": "pat", "platform_user_id": "42", "account": "a1", "scp": ["x"]}, 600)
    identity = claims.verify(token, f"{service.url}/oauth2/default/v1/keys")
    assert (identity.subject, identity.account, identity.scopes) == ("pat", "a1", ("x",))
    assert identity.uid == f"{service_tokens.issuer()}|42"


def test_a_forged_or_expired_token_does_not_verify(service: Service, transactional_db: Any) -> None:
    keys_url = f"{service.url}/oauth2/default/v1/keys"
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    payload = {"sub": "pat", "account": "a1", "iss": "x", "aud": claims.AUDIENCE, "exp": 2**31}
    forged = jwt.encode(payload, impostor, algorithm="RS256", headers={"kid": service_keys.key_id()})
    with pytest.raises(claims.TokenNotVerified, match="did not verify"):
        claims.verify(forged, keys_url)
    with pytest.raises(claims.TokenNotVerified):
        claims.verify(jwt.encode(payload, impostor, algorithm="RS256", headers={"kid": "unknown"}), keys_url)
    with pytest.raises(claims.TokenNotVerified, match="did not verify"):
        claims.verify(service_tokens.encode({"sub": "pat"}, -10), keys_url)


def test_unreachable_keys_fail_the_sign_in_naming_the_unverified_user(
    service: Service, cc_owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conf.Endpoints, "keys_url", property(lambda self: UNREACHABLE))
    page = service.browser().sign_in(cc_owner.user.username)
    assert page.status_code == 401 and "Sign-in did not work" in page.text
    assert f"signed you in as {cc_owner.user.username}, but ctctdash could not confirm it" in page.text
    assert "could not be fetched" in page.text
    assert not SocialAccount.objects.exists() and not Connection.objects.exists()
