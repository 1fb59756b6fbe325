"""allauth's social-account adapter, fitted to one provider whose application comes from settings."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest

from .connect import complete_connect
from .providers.constantcontact import conf


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """The ``constantcontact`` application from settings per request; usernames from the CC login."""

    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        """Database apps for other providers, and the one ``CTCT_*`` names for ``constantcontact``.

        Built per call, so settings changed at run time (tests, an operator) are what is used.
        """
        apps = [app for app in super().list_apps(request, provider, client_id) if app.provider != conf.PROVIDER_ID]
        if provider in (None, conf.PROVIDER_ID):
            endpoints = conf.current()
            if client_id in (None, endpoints.client_id):
                apps.append(
                    SocialApp(
                        provider=conf.PROVIDER_ID,
                        name="Constant Contact",
                        client_id=endpoints.client_id,
                        secret=endpoints.client_secret,
                    )
                )
        return apps

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> Any:
        """A unique username from the Constant Contact login (``sub``); its address if it is one."""
        user = super().populate_user(request, sociallogin, data)
        subject = str(sociallogin.account.extra_data.get("sub", ""))
        user.username = get_account_adapter(request).generate_unique_username([subject.partition("@")[0], "user"])
        try:
            validate_email(subject)
        except ValidationError:
            pass
        else:
            user.email = subject
        return user

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        """Always: the sign-up form would park the sign-in (token included) in the session."""
        return True

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: Exception | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        """Name the reason on the error page when it is one of ours (worded for people, no secrets)."""
        if isinstance(exception, ProviderException) and extra_context is not None:
            extra_context["reason"] = str(exception)
        super().on_authentication_error(request, provider, error, exception, extra_context)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Finish an add-or-reconnect flow; drop allauth's copy of the token for every flow.

        The token has already been kept (on ``sociallogin.ctct_sign_in``, then encrypted on a
        Connection); without this, anything that serializes the SocialLogin into the session
        would write the access and refresh tokens there in plaintext.
        """
        if sociallogin.state.get("process") == AuthProcess.REDIRECT:
            complete_connect(request, sociallogin)
        sociallogin.token = None
