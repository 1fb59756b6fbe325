"""Fixtures: the built-in V3 service on a live server, with the dashboard's application registered there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from oauth2_provider.models import Application
from pytest_django.fixtures import Settings as SettingsWrapper

from tests.dashboard.conftest import DASHBOARD_CLIENT_ID, DASHBOARD_CLIENT_SECRET, LiveV3
from tests.v3.factories import MembershipFactory

from .browser import Browser

# The dashboard's application as tests/dashboard/conftest.py registers it on the live service.
CLIENT_ID, CLIENT_SECRET = DASHBOARD_CLIENT_ID, DASHBOARD_CLIENT_SECRET


@dataclass
class Service:
    """The live built-in service the dashboard signs in with."""

    url: str
    application: Application

    def browser(self) -> Browser:
        """A fresh browser (no cookies) against the live server."""
        return Browser(self.url)


@pytest.fixture
def service(live_v3: LiveV3, settings: SettingsWrapper) -> Service:
    """``live_v3`` (the dashboard's CTCT_* settings pointed at the live server, its application
    registered there), with the site's own links (confirmation emails, the issuer) on it too.

    The provider and the client read these settings per request, so overriding them is enough.
    """
    settings.SITE_URL = live_v3.url
    return Service(live_v3.url, live_v3.application)


@pytest.fixture
def cc_owner(transactional_db: Any) -> Any:
    """A user of the built-in service who owns a Constant Contact account there."""
    return MembershipFactory(account__organization_name="Harbor Bakery")
