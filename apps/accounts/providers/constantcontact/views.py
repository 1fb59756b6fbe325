"""The provider's OAuth2 adapter and its login and callback views."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialLogin, SocialToken
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter, OAuth2CallbackView, OAuth2LoginView
from django.http import HttpRequest

from . import conf
from .signin import read_sign_in


class ConstantContactOAuth2Adapter(OAuth2Adapter):
    """Endpoints from settings per request; HTTP Basic client authentication at the token endpoint."""

    provider_id = conf.PROVIDER_ID
    # RFC 6749 §2.3.1: Constant Contact documents Basic auth for confidential clients.
    basic_auth = True

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.endpoints = conf.current()
        self.authorize_url = self.endpoints.authorize_url
        self.access_token_url = self.endpoints.token_url

    def complete_login(self, request: HttpRequest, app: Any, token: SocialToken, **kwargs: Any) -> SocialLogin:
        """The user from the verified token claims and the account summary (read through the client)."""
        sign_in = read_sign_in(self.endpoints, dict(kwargs.get("response") or {}))
        login: SocialLogin = self.get_provider().sociallogin_from_response(request, sign_in.as_provider_data())
        # Kept on the object (not in its serialized state), so the token never lands in the session.
        login.ctct_sign_in = sign_in
        return login


oauth2_login = OAuth2LoginView.adapter_view(ConstantContactOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(ConstantContactOAuth2Adapter)
