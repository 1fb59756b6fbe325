"""Receivers: what a dashboard sign-in sets up once allauth has logged the user in."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .identity import SIGNED_IN_AS_KEY
from .services import complete_sign_in


@receiver(user_logged_in, dispatch_uid="accounts.sign_in_connection")
def connect_signed_in_account(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Store the sign-in's token as a connection of the user's own workspace and make it active.

    Runs after Django's login, so the session it writes the active connection to is the new one.
    """
    request.session.pop(SIGNED_IN_AS_KEY, None)  # the header names whoever signed in this time
    sociallogin = kwargs.get("sociallogin")
    sign_in = getattr(sociallogin, "ctct_sign_in", None)
    if sign_in is not None:
        complete_sign_in(request, user, sign_in)
