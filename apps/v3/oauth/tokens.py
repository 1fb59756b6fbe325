"""Access tokens are RS256 JWTs naming the account, the user, the client and the scopes.

The authorization server mints them through :func:`generate_access_token`; scripts and tests get
one without an OAuth dance from :func:`issue_token`.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauthlib.common import Request

from apps.v3.account.membership import account_for_token_request
from apps.v3.account.models import Account, AccountMembership, Partner
from apps.v3.oauth import keys

ACCESS_TOKEN_AUDIENCE = "https://api.cc.email/v3"  # noqa: S105 - a URL, not a secret


def issuer() -> str:
    """The ``iss`` of every token: this server's authorization base."""
    return f"{settings.SITE_URL}/oauth2/default"


def encode(claims: dict[str, Any], lifetime: int) -> str:
    """Sign ``claims`` with the service key, adding the registered claims."""
    now = int(time.time())
    payload = {
        "iss": issuer(),
        "aud": ACCESS_TOKEN_AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    return jwt.encode(payload, keys.signing_key(), algorithm="RS256", headers={"kid": keys.key_id()})


def decode(token: str) -> dict[str, Any]:
    """Verify signature, issuer, audience and expiry; raise ``jwt.InvalidTokenError`` if any fails."""
    public = keys.signing_key().public_key()
    claims: dict[str, Any] = jwt.decode(
        token,
        public,
        algorithms=["RS256"],
        audience=ACCESS_TOKEN_AUDIENCE,
        issuer=issuer(),
        options={"require": ["exp", "iat", "iss", "aud"]},
    )
    return claims


def _partner_of(client: Any) -> Any:
    if client is None or getattr(client, "pk", None) is None:
        return None
    return Partner.objects.filter(application_id=client.pk).first()


def generate_access_token(request: Request) -> str:
    """oauthlib token generator (``ACCESS_TOKEN_GENERATOR``): the JWT for this grant."""
    scopes = list(request.scopes or [])
    claims: dict[str, Any] = {"cid": request.client_id or getattr(request.client, "client_id", None), "scp": scopes}
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "pk", None) is not None:
        claims["sub"] = str(user.get_username())
        claims["platform_user_id"] = str(user.pk)
    account = account_for_token_request(request)
    if account is not None:
        claims["account"] = account.encoded_account_id
    partner = getattr(request, "partner", None) or _partner_of(request.client)
    if partner is not None:
        claims["partner"] = partner.encoded_partner_id
    lifetime = int(getattr(request, "expires_in", 0) or settings.V3_ACCESS_TOKEN_LIFETIME)
    return encode(claims, lifetime)


def issue_token(account: Account, user: User, scopes: list[str], application: Application) -> str:
    """Mint and store an access token without an OAuth dance (``manage.py issue_token``, tests)."""
    AccountMembership.objects.get(account=account, user=user)  # refuse users outside the account
    lifetime = settings.V3_ACCESS_TOKEN_LIFETIME
    claims = {
        "cid": application.client_id,
        "scp": scopes,
        "sub": user.get_username(),
        "platform_user_id": str(user.pk),
        "account": account.encoded_account_id,
    }
    token = encode(claims, lifetime)
    AccessToken.objects.create(
        user=user,
        application=application,
        token=token,
        expires=timezone.now() + timedelta(seconds=lifetime),
        scope=" ".join(scopes),
    )
    return token
