"""Who a token speaks for: the account behind a grant, and tokens for scripts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauthlib.common import Request

from apps.v3.models import Account, AccountMembership


def memberships_of(user: Any) -> QuerySet[AccountMembership]:
    """The user's account memberships, oldest first, each with its account."""
    return AccountMembership.objects.filter(user=user).select_related("account").order_by("id")


def primary_account(user: Any) -> Account | None:
    """The account an authorization is for when nobody chose one: the user's first membership."""
    membership = memberships_of(user).first()
    return membership.account if membership else None


def member_account(user: Any, encoded_account_id: Any) -> Account | None:
    """The account with this id if the user belongs to it, else None (forged or stale ids)."""
    if not isinstance(encoded_account_id, str) or not encoded_account_id:
        return None
    membership = memberships_of(user).filter(account__encoded_account_id=encoded_account_id).first()
    return membership.account if membership else None


def account_for_token_request(request: Request) -> Account | None:
    """The account an access token being minted belongs to (None for partner tokens).

    The validator sets ``request.account`` from the grant or refresh token; only an ``Account``
    counts, because oauthlib also answers attribute reads from the request's own parameters.
    """
    user = getattr(request, "user", None)
    if user is None or getattr(user, "pk", None) is None:
        return None
    chosen = getattr(request, "account", None)
    if isinstance(chosen, Account):
        return chosen
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
