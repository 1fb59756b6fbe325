"""Who a token speaks for: the account behind a grant, and tokens for scripts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauthlib.common import Request

from apps.v3.models import Account, AccountMembership


def primary_account(user: Any) -> Account | None:
    """The account a user's authorizations are for: their first membership.

    Choosing among several accounts at consent time is not built yet (docs/decisions.md).
    """
    membership = AccountMembership.objects.filter(user=user).select_related("account").order_by("id").first()
    return membership.account if membership else None


def account_for_token_request(request: Request) -> Account | None:
    """The account an access token being minted belongs to (None for partner tokens)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "pk", None) is None:
        return None
    return primary_account(user)


def issue_token(account: Account, user: User, scopes: list[str], application: Application) -> str:
    """Mint and store an access token without an OAuth dance (``manage.py issue_token``, tests)."""
    from apps.v3.oauth import tokens

    AccountMembership.objects.get(account=account, user=user)  # refuse users outside the account
    lifetime = settings.V3_ACCESS_TOKEN_LIFETIME
    claims = {
        "cid": application.client_id,
        "scp": scopes,
        "sub": user.get_username(),
        "platform_user_id": str(user.pk),
        "account": account.encoded_account_id,
    }
    token = tokens.encode(claims, lifetime)
    AccessToken.objects.create(
        user=user,
        application=application,
        token=token,
        expires=timezone.now() + timedelta(seconds=lifetime),
        scope=" ".join(scopes),
    )
    return token
