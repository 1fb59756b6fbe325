"""Access tokens are RS256 JWTs naming the account, the user, the client and the scopes."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
from django.conf import settings
from oauthlib.common import Request

from . import keys

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
    from apps.v3.models import Partner

    if client is None or getattr(client, "pk", None) is None:
        return None
    return Partner.objects.filter(application_id=client.pk).first()


def generate_access_token(request: Request) -> str:
    """oauthlib token generator (``ACCESS_TOKEN_GENERATOR``): the JWT for this grant."""
    from apps.v3.services.identity import account_for_token_request

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
