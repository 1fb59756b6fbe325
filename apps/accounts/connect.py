"""Adding a connection to a workspace, or reconnecting one, through the same OAuth flow as sign-in.

The flow runs as allauth's ``redirect`` process: the callback verifies the token and reads the
account exactly as a sign-in does, but nobody is signed in or out; the token goes to the workspace
named in the flow's state, which the callback checks again (the user's role may have changed
while they were away at Constant Contact).
"""

from __future__ import annotations

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .models import Connection, Membership, Workspace
from .providers.constantcontact.conf import PROVIDER_ID
from .services import store_connection, switch_connection

INTENT_KEY = "ctctdash_connect"


def start_connect(request: HttpRequest, workspace: Workspace, connection: Connection | None = None) -> HttpResponse:
    """Send the user to sign in at Constant Contact for ``workspace`` (reconnecting ``connection``)."""
    provider = get_adapter(request).get_provider(request, PROVIDER_ID)
    intent = {"workspace": workspace.pk, "connection": connection.pk if connection else None}
    next_url = reverse("accounts:workspace-detail", args=[workspace.pk])
    response: HttpResponse = provider.redirect(
        request, AuthProcess.REDIRECT, next_url=next_url, data={INTENT_KEY: intent}
    )
    return response


def _refuse(request: HttpRequest, message: str, to: str) -> ImmediateHttpResponse:
    messages.error(request, message)
    return ImmediateHttpResponse(HttpResponseRedirect(to))


def complete_connect(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """Store the new token in the workspace the flow started from; raise a redirect on refusal."""
    intent: dict[str, Any] | None = (sociallogin.state.get("data") or {}).get(INTENT_KEY)
    sign_in = getattr(sociallogin, "ctct_sign_in", None)
    if intent is None or sign_in is None:
        return  # a redirect-process flow this module did not start: nothing to store
    user = request.user
    if not user.is_authenticated:
        raise _refuse(request, "Sign in to the dashboard before connecting an account.", reverse("account_login"))
    membership = (
        Membership.objects.filter(workspace_id=intent["workspace"], user=user).select_related("workspace").first()
    )
    if membership is None or not membership.can_manage:
        raise _refuse(request, "Only the workspace's owners and admins can connect accounts.", reverse("home"))
    workspace = membership.workspace
    if intent.get("connection") is not None:
        expected = Connection.objects.filter(pk=intent["connection"], workspace=workspace).first()
        if expected is None:
            raise _refuse(
                request, "That connection no longer exists.", reverse("accounts:workspace-detail", args=[workspace.pk])
            )
        if (expected.encoded_account_id, expected.api_base_url) != (sign_in.account_id, sign_in.endpoints.api_base_url):
            other = sign_in.organization_name or sign_in.account_id
            raise _refuse(
                request,
                f"You signed in to a different Constant Contact account ({other}); "
                f"sign in as a user of {expected.display_name} to reconnect it.",
                reverse("accounts:reconnect", args=[expected.pk]),
            )
    connection = store_connection(workspace, sign_in, user)
    switch_connection(request, connection)
    verb = "reconnected" if intent.get("connection") is not None else "connected"
    messages.success(request, f"{connection.display_name} is {verb} to {workspace.name}.")
