"""The service's own pages (sign-in, consent, developer applications) carry no dashboard chrome.

Constant Contact serves these from its own site; here they share the project, so the header must not
offer the dashboard's sections, connection switcher or sign-in, only the service user's own sign-out.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.live import PASSWORD

DASHBOARD_CHROME = ('class="site-nav"', "Active connection", 'href="/accounts/login/"', 'href="/contacts/"')


def service_signed_in(owner: Any) -> Client:
    """A browser signed in at the service's own sign-in page (its own session cookie)."""
    browser = Client()
    response = browser.post("/oauth2/login/", {"username": owner.user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return browser


def assert_no_dashboard_chrome(page: str) -> None:
    assert "ctctdash V3 service" in page
    for chrome in DASHBOARD_CHROME:
        assert chrome not in page, chrome


@pytest.mark.parametrize("path", ["/oauth2/login/", "/developer/applications/"])
def test_signed_out_service_pages_show_no_dashboard_header(transactional_db: Any, path: str) -> None:
    response = Client().get(path, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert_no_dashboard_chrome(page)
    assert 'action="/oauth2/logout/"' not in page


def test_a_signed_in_service_user_sees_their_name_and_signs_out_of_the_service(owner: Any) -> None:
    browser = service_signed_in(owner)
    page = browser.get("/developer/applications/").content.decode()
    assert_no_dashboard_chrome(page)
    assert owner.user.username in page and 'action="/oauth2/logout/"' in page

    signed_out = browser.post("/oauth2/logout/")
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/oauth2/login/")
    again = browser.get("/developer/applications/")
    assert again.status_code == 302 and again["Location"].startswith("/oauth2/login/")
