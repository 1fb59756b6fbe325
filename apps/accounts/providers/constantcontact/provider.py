"""The ``constantcontact`` allauth provider: OAuth2 authorization code with PKCE S256."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from django.conf import settings

from .conf import PROVIDER_ID
from .views import ConstantContactOAuth2Adapter


class ConstantContactAccount(ProviderAccount):
    """A dashboard user's Constant Contact login."""

    def to_str(self) -> str:
        return str(self.account.extra_data.get("sub") or super().to_str())


class ConstantContactProvider(OAuth2Provider):
    """Sign in with Constant Contact, or with the V3 service built into this site."""

    id = PROVIDER_ID
    name = "Constant Contact"
    account_class = ConstantContactAccount
    oauth2_adapter_class = ConstantContactOAuth2Adapter
    pkce_enabled_default = True

    def get_default_scope(self) -> list[str]:
        return list(settings.CTCT_SCOPES)

    def extract_uid(self, data: dict[str, Any]) -> str:
        return str(data["uid"])

    def extract_extra_data(self, data: dict[str, Any]) -> dict[str, Any]:
        # What the dashboard shows about a login; never the token, which lives encrypted on Connection.
        return dict(data["extra_data"])

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        # The username is made by the adapter (SocialAccountAdapter.populate_user) from ``sub``.
        return {}


provider_classes = [ConstantContactProvider]
