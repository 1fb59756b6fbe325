"""One sign-in's result: the token, the verified identity, and the account it reaches."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from allauth.socialaccount.providers.base import ProviderException

from apps.ctct import CtctError

from ...clients import make_client
from .claims import Identity, verify
from .conf import Endpoints


@dataclass(frozen=True)
class SignIn:
    """What the callback learned; ``token`` is the (possibly already refreshed) token dict."""

    identity: Identity
    account_id: str
    summary: dict[str, Any]
    token: dict[str, Any]
    endpoints: Endpoints

    @property
    def organization_name(self) -> str:
        """The account's organization name, "" when it has none."""
        return str(self.summary.get("organization_name") or "")

    def as_provider_data(self) -> dict[str, Any]:
        """What the provider turns into a SocialAccount: the uid and a token-free description."""
        return {
            "uid": self.identity.uid,
            "extra_data": {
                "sub": self.identity.subject,
                "iss": self.identity.issuer,
                "account": self.account_id,
                "organization_name": self.organization_name,
            },
        }


def token_from_response(response: dict[str, Any]) -> dict[str, Any]:
    """The token endpoint's answer as requests-oauthlib keeps a token (with ``expires_at``)."""
    token = {key: value for key, value in response.items() if value not in (None, "")}
    if "expires_in" in token and "expires_at" not in token:
        token["expires_at"] = time.time() + float(token["expires_in"])
    return token


def read_sign_in(endpoints: Endpoints, response: dict[str, Any]) -> SignIn:
    """Verify the token, then ask the API (through the client) which account it reaches.

    The summary's ``encoded_account_id`` comes from the API itself; when the token also names an
    account, the two must agree.
    """
    token = token_from_response(response)
    identity = verify(str(token.get("access_token", "")), endpoints.keys_url)
    latest = dict(token)  # a refresh during the call would rotate the token: keep the newest
    client = make_client(
        base_url=endpoints.api_base_url, token_url=endpoints.token_url, token=token, token_updater=latest.update
    )
    try:
        summary = client.account_services.get_account_by_id()
    except CtctError as exc:
        raise ProviderException(f"The account summary could not be read: {exc}") from exc
    finally:
        client.close()
    account_id = str(summary.get("encoded_account_id") or identity.account)
    if not account_id:
        raise ProviderException("Neither the token nor the account summary names an account.")
    if identity.account and identity.account != account_id:
        raise ProviderException("The token's account and the account summary's differ.")
    return SignIn(identity, account_id, summary, latest, endpoints)
