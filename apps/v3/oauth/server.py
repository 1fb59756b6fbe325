"""oauthlib servers for the two token endpoints: accounts' and partners'."""

from __future__ import annotations

import json
from typing import Any

import jwt
from django.conf import settings
from oauthlib.common import Request
from oauthlib.oauth2 import BearerToken, ClientCredentialsGrant, Server, TokenEndpoint
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.grant_types.base import GrantTypeBase

from apps.v3.account.models import Partner

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PARTNER_TOKEN_LIFETIME = 60 * 60


class V3Server(Server):
    """oauthlib's all-in-one server, accepting only the S256 PKCE method.

    ``plain`` offers no protection against an intercepted code, so it is refused outright,
    and so is a challenge that names no method (which RFC 7636 would read as ``plain``).
    """

    def __init__(self, request_validator: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request_validator, *args, **kwargs)
        methods = self.auth_grant._code_challenge_methods
        self.auth_grant._code_challenge_methods = {"S256": methods["S256"]}


class JWTBearerGrant(GrantTypeBase):
    """RFC 7523 §2.1: a partner trades an assertion signed with its registered key for a token."""

    def create_token_response(self, request: Request, token_handler: BearerToken) -> tuple[dict[str, str], str, int]:
        """Validate the assertion and answer with a bearer token (no refresh token)."""
        headers = self._get_default_headers()
        try:
            self.validate_token_request(request)
        except errors.OAuth2Error as exc:
            headers.update(exc.headers)
            return headers, exc.json, exc.status_code
        token = token_handler.create_token(request, refresh_token=False)
        self.request_validator.save_token(token, request)
        return headers, json.dumps(token), 200

    def validate_token_request(self, request: Request) -> None:
        """The assertion must name a partner as issuer and be signed by that partner's key."""
        params = dict(request.decoded_body or [])
        assertion = params.get("assertion")
        if not assertion:
            raise errors.InvalidRequestError("Missing assertion.", request=request)
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.InvalidTokenError as exc:
            raise errors.InvalidGrantError(f"Malformed assertion: {exc}", request=request) from exc
        issuer = unverified.get("iss")
        partner = (
            Partner.objects.select_related("application").filter(application__client_id=issuer).first()
            if isinstance(issuer, str)
            else None
        )
        if partner is None or not partner.assertion_public_key or partner.application is None:
            raise errors.InvalidGrantError("Unknown assertion issuer.", request=request)
        try:
            jwt.decode(
                assertion,
                partner.assertion_public_key,
                algorithms=["RS256", "ES256"],
                audience=partner_token_url(),
                issuer=issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise errors.InvalidGrantError(f"Assertion rejected: {exc}", request=request) from exc
        request.client = partner.application
        request.client_id = partner.application.client_id
        request.partner = partner
        request.user = None
        request.scopes = [settings.V3_PARTNER_SCOPE]


class PartnerServer(TokenEndpoint):
    """The partner token endpoint: client credentials and JWT bearer, one-hour tokens."""

    def __init__(self, request_validator: Any, token_generator: Any = None, **kwargs: Any) -> None:
        self.bearer = BearerToken(request_validator, token_generator, PARTNER_TOKEN_LIFETIME)
        credentials = ClientCredentialsGrant(request_validator)
        TokenEndpoint.__init__(
            self,
            default_grant_type="client_credentials",
            grant_types={"client_credentials": credentials, JWT_BEARER: JWTBearerGrant(request_validator)},
            default_token_type=self.bearer,
        )


def partner_token_url() -> str:
    """The audience partner assertions must name: this server's partner token endpoint."""
    return f"{settings.SITE_URL}/partners/oauth2/default/v1/token"
