"""The request validator: django-oauth-toolkit's, with Constant Contact's rules on top."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from oauth2_provider.models import AccessToken, Application, RefreshToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.common import Request

from apps.v3.account.membership import member_account, primary_account
from apps.v3.account.models import Account, Partner
from apps.v3.oauth.models import CodeExchange, RefreshTokenAccount

# The key under which a grant's claims hold the account chosen on the consent page. The claims
# column is the one DOT carries from the authorization request to the token request.
ACCOUNT_CLAIM = "account"


def _is_partner_application(client: Any) -> bool:
    pk = getattr(client, "pk", None)
    return pk is not None and Partner.objects.filter(application_id=pk).exists()


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class V3OAuth2Validator(OAuth2Validator):
    """PKCE for public clients, refresh tokens only with ``offline_access``, code replay revokes.

    Every token is for one account: the one chosen on the consent page, kept in the grant's
    claims until the code is traded, then with each refresh token (``RefreshTokenAccount``).
    """

    def is_pkce_required(self, client_id: str, request: Request) -> bool:
        """Public clients cannot keep a secret, so they must prove possession with PKCE."""
        app = Application.objects.filter(client_id=client_id).only("client_type").first()
        return app is not None and app.client_type == Application.CLIENT_PUBLIC

    def get_default_scopes(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        """Partners get the partner scope; everyone else the settings' default."""
        if _is_partner_application(request.client):
            return [settings.V3_PARTNER_SCOPE]
        return list(super().get_default_scopes(client_id, request, *args, **kwargs))

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        """The partner scope is for partner applications only, and account scopes are not for them."""
        partner_scope = settings.V3_PARTNER_SCOPE
        if _is_partner_application(client):
            return set(scopes) <= {partner_scope}
        if partner_scope in scopes:
            return False
        return bool(super().validate_scopes(client_id, scopes, client, request, *args, **kwargs))

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: Request, *args: Any, **kwargs: Any
    ) -> Any:
        """Keep the chosen account with the grant; whatever a client sent as ``claims`` cannot name one."""
        claims = dict(request.claims) if isinstance(request.claims, dict) else {}
        claims.pop(ACCOUNT_CLAIM, None)
        account = getattr(request, "account", None)
        if isinstance(account, Account):
            claims[ACCOUNT_CLAIM] = account.encoded_account_id
        request.claims = claims
        return super().save_authorization_code(client_id, code, request, *args, **kwargs)

    def save_bearer_token(self, token: dict[str, Any], request: Request, *args: Any, **kwargs: Any) -> Any:
        """Drop the refresh token unless ``offline_access`` was granted; remember which code made what.

        A refresh token issued here remembers the token's account, so refreshing keeps it.
        """
        if "offline_access" not in (request.scopes or []):
            token.pop("refresh_token", None)
        result = super().save_bearer_token(token, request, *args, **kwargs)
        if request.grant_type == "authorization_code" and request.code:
            access = AccessToken.objects.filter(token_checksum=_digest(token["access_token"])).first()
            if access is not None:
                CodeExchange.objects.create(code_digest=_digest(request.code), access_token_id=access.pk)
        account = getattr(request, "account", None)
        if "refresh_token" in token and isinstance(account, Account):
            refresh = RefreshToken.objects.filter(token_checksum=_digest(token["refresh_token"])).first()
            if refresh is not None:
                RefreshTokenAccount.objects.update_or_create(refresh_token=refresh, defaults={"account": account})
        return result

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        """A code used twice is refused, and every token its first use produced is revoked (RFC 6749 §4.1.2).

        The code is also refused if its user no longer belongs to the account it was granted for.
        """
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            self._revoke_tokens_from(code)
            return False
        claims = request.claims if isinstance(request.claims, dict) else {}
        if ACCOUNT_CLAIM not in claims:  # granted before accounts were chosen, or the user has none
            request.account = primary_account(request.user)
            return True
        request.account = member_account(request.user, claims[ACCOUNT_CLAIM])
        return request.account is not None

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        """The new token is for the refresh token's account, as long as the user still belongs to it."""
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        remembered = RefreshTokenAccount.objects.filter(refresh_token=request.refresh_token_instance).first()
        if remembered is None:  # issued before accounts were remembered, or the user has none
            request.account = primary_account(request.user)
            return True
        account = remembered.account
        request.account = member_account(request.user, account.encoded_account_id if account else None)
        return request.account is not None

    @staticmethod
    def _revoke_tokens_from(code: str) -> None:
        exchanges = CodeExchange.objects.filter(code_digest=_digest(code))
        token_ids = list(exchanges.values_list("access_token_id", flat=True))
        if not token_ids:
            return
        for refresh in RefreshToken.objects.filter(access_token_id__in=token_ids, revoked__isnull=True):
            refresh.revoke()
        for access in AccessToken.objects.filter(id__in=token_ids):
            access.revoke()
