"""Bearer JWT authentication: the token must verify, be on record, and name its account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import jwt
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from apps.v3.account.models import Account, AccountMembership, Partner
from apps.v3.gate.errors import Unauthorized
from apps.v3.oauth import tokens

# Set on a request the service builds itself (the partners' sync proxy) to the context it acts in; a
# request from outside cannot carry an attribute, so only code in the service can use it.
PROXIED_CONTEXT = "v3_proxied_context"
# An account whose partner canceled it keeps its data, but no token of it works
# (docs/decisions/partners.md#cancellation).
CANCELED = "Canceled"


@dataclass(frozen=True)
class TokenContext:
    """What a verified token grants: set as ``request.auth`` on every V3 request."""

    access_token: AccessToken
    claims: dict[str, Any]
    scopes: frozenset[str]
    account: Account | None
    membership: AccountMembership | None
    partner: Partner | None

    @property
    def privileges(self) -> frozenset[str]:
        """The privileges of the token's user on its account (none for partner tokens)."""
        return self.membership.privileges if self.membership else frozenset()

    @property
    def client_id(self) -> str:
        """The application the token was issued to; rate limits count per application."""
        return str(self.claims.get("cid") or self.access_token.application_id)


class BearerJWTAuthentication(BaseAuthentication):
    """Verifies ``Authorization: Bearer <jwt>`` against the key and the token table."""

    def authenticate(self, request: Request) -> tuple[Any, TokenContext]:
        proxied = getattr(request._request, PROXIED_CONTEXT, None)
        if isinstance(proxied, TokenContext):
            if proxied.account is not None and proxied.account.billing_status == CANCELED:
                raise Unauthorized("The account has been canceled.")
            return (proxied.membership.user if proxied.membership else proxied.access_token.user), proxied
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, raw = header.partition(" ")
        if not header:
            raise Unauthorized("Missing Authorization header with a Bearer access token.")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthorized("Malformed Authorization header: expected 'Bearer <access token>'.")
        raw = raw.strip()
        try:
            claims = tokens.decode(raw)
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The access token has expired.") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("The access token is invalid.") from exc
        checksum = hashlib.sha256(raw.encode()).hexdigest()
        access = AccessToken.objects.select_related("user").filter(token_checksum=checksum).first()
        if access is None:
            raise Unauthorized("The access token has been revoked.")
        if access.expires <= timezone.now():
            raise Unauthorized("The access token has expired.")
        account = membership = partner = None
        if "account" in claims:
            membership = (
                AccountMembership.objects.select_related("account")
                .filter(account__encoded_account_id=claims["account"], user_id=access.user_id)
                .first()
            )
            if membership is None:
                raise Unauthorized("The access token's user no longer belongs to its account.")
            account = membership.account
            if account.billing_status == CANCELED:
                raise Unauthorized("The account has been canceled.")
        elif "partner" in claims:
            partner = Partner.objects.filter(encoded_partner_id=claims["partner"]).first()
            if partner is None:
                raise Unauthorized("The access token's partner no longer exists.")
        scopes = frozenset(claims.get("scp") or access.scope.split())
        return access.user, TokenContext(access, claims, scopes, account, membership, partner)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="v3"'
