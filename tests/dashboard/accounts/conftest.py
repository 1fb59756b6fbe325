"""Fixtures: the built-in V3 service on a live server, with the dashboard's application registered there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from oauth2_provider.models import Application
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.v3.factories import MembershipFactory

from .browser import Browser

CLIENT_ID = "ctctdash-dashboard"
CLIENT_SECRET = "dashboard-secret-for-tests"


@dataclass
class Service:
    """The live built-in service the dashboard signs in with."""

    url: str
    application: Application

    def browser(self) -> Browser:
        """A fresh browser (no cookies) against the live server."""
        return Browser(self.url)


@pytest.fixture
def service(live_server: Any, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch) -> Service:
    """The dashboard's CTCT_* settings pointed at the live server, where its application is registered.

    The provider and the client read these settings per request, so overriding them here is enough.
    """
    # The live server speaks plain HTTP on loopback; requests-oauthlib refuses that unless told.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    url = str(live_server.url)
    settings.SITE_URL = url
    settings.CTCT_API_BASE_URL = f"{url}/v3"
    settings.CTCT_AUTHORIZE_URL = f"{url}/oauth2/default/v1/authorize"
    settings.CTCT_TOKEN_URL = f"{url}/oauth2/default/v1/token"
    settings.CTCT_CLIENT_ID = CLIENT_ID
    settings.CTCT_CLIENT_SECRET = CLIENT_SECRET
    # The client's own limiter would pace a test to Constant Contact's 4 requests a second.
    settings.CTCT_RATE_LIMIT_PER_SECOND = 10_000
    application = Application.objects.create(
        name="ctctdash dashboard",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=f"{url}/accounts/constantcontact/login/callback/",
        hash_client_secret=True,
    )
    return Service(url, application)


@pytest.fixture
def cc_owner(transactional_db: Any) -> Any:
    """A user of the built-in service who owns a Constant Contact account there."""
    return MembershipFactory(account__organization_name="Harbor Bakery")
