"""Who a token speaks for: a user's account memberships and the account behind a grant."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from oauthlib.common import Request

from apps.v3.account.models import Account, AccountMembership


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
