"""Who an access token speaks for: its JWT claims, verified against the issuer's published keys.

Both Constant Contact and the built-in service issue RS256 JWT access tokens and publish the
keys at ``.../oauth2/default/v1/keys``. A sign-in's identity (``sub``) and account (``account``)
are taken only from a token whose signature verified. When the keys cannot be fetched, the
unverified payload is read for one thing, the name shown in the error, and the sign-in fails.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import jwt
from allauth.socialaccount.providers.base import ProviderException

# Every V3 access token, Constant Contact's and the built-in service's, names the API as audience.
AUDIENCE = "https://api.cc.email/v3"
_KEYS_TIMEOUT = 10  # seconds; a sign-in waits for this at most

_clients_lock = threading.Lock()
_clients: dict[str, jwt.PyJWKClient] = {}


class TokenNotVerified(ProviderException):
    """The access token's signature could not be checked or did not verify; no one is signed in."""

    def __init__(self, message: str, display_name: str = "") -> None:
        super().__init__(message)
        self.display_name = display_name


@dataclass(frozen=True)
class Identity:
    """The verified claims a sign-in uses."""

    issuer: str
    subject: str
    user_id: str
    account: str
    scopes: tuple[str, ...]

    @property
    def uid(self) -> str:
        """The allauth uid: the user at this issuer (two servers may both have a user "demo")."""
        return f"{self.issuer}|{self.user_id}"


def _keys_client(keys_url: str) -> jwt.PyJWKClient:
    """One JWKS client per key set URL, so its cache of keys survives between sign-ins."""
    with _clients_lock:
        client = _clients.get(keys_url)
        if client is None:
            client = _clients[keys_url] = jwt.PyJWKClient(keys_url, timeout=_KEYS_TIMEOUT)
        return client


def unverified_display_name(access_token: str) -> str:
    """The token's ``sub`` read WITHOUT checking the signature: for wording an error, nothing else."""
    try:
        payload = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return ""
    return str(payload.get("sub", ""))


def verify(access_token: str, keys_url: str) -> Identity:
    """The identity in ``access_token`` once its signature, audience and expiry verify.

    Raises ``TokenNotVerified`` when the key set is unreachable or the token does not verify.
    """
    try:
        key = _keys_client(keys_url).get_signing_key_from_jwt(access_token)
    except jwt.PyJWKClientConnectionError as exc:
        raise TokenNotVerified(
            f"The signing keys at {keys_url} could not be fetched.", unverified_display_name(access_token)
        ) from exc
    except (jwt.PyJWKClientError, jwt.InvalidTokenError) as exc:
        raise TokenNotVerified(f"The access token does not match the signing keys at {keys_url}.") from exc
    try:
        claims: dict[str, Any] = jwt.decode(
            access_token,
            key.key,
            algorithms=["RS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "iss", "sub"]},
        )
    except jwt.InvalidTokenError as exc:
        raise TokenNotVerified(f"The access token did not verify: {exc}.") from exc
    scopes = claims.get("scp") or []
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        # Constant Contact's stable user id; the login (``sub``) is an email address that can change.
        user_id=str(claims.get("platform_user_id") or claims["sub"]),
        account=str(claims.get("account", "")),
        scopes=tuple(str(scope) for scope in (scopes if isinstance(scopes, list) else str(scopes).split())),
    )
