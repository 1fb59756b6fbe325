"""Who is signed in, in words the person recognises: their name or login from the service's claims.

The dashboard's username is generated (``demo8`` when ``demo`` was taken), so it is never shown;
the sign-in's verified claims are kept on the allauth social account (``extra_data``: ``sub``, the
login the person typed, which Constant Contact makes an email address).
"""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.http import HttpRequest

from .providers.constantcontact.conf import PROVIDER_ID

__all__ = ["display_name", "signed_in_as"]

SIGNED_IN_AS_KEY = "accounts.signed_in_as"


def display_name(user: Any) -> str:
    """The user's name, else the login of their latest Constant Contact sign-in, else their email."""
    full_name = str(user.get_full_name()).strip()
    if full_name:
        return full_name
    account = SocialAccount.objects.filter(user=user, provider=PROVIDER_ID).order_by("-last_login", "-id").first()
    login = str(account.extra_data.get("sub") or "") if account is not None else ""
    return login or user.email or user.get_username()


def signed_in_as(request: HttpRequest) -> str:
    """``display_name`` of the request's user, kept in the session so the header costs no query."""
    cached = request.session.get(SIGNED_IN_AS_KEY)
    if isinstance(cached, str) and cached:
        return cached
    name = display_name(request.user)
    request.session[SIGNED_IN_AS_KEY] = name
    return name
