"""The contacts list's search box: any part of names and email on the built-in service, a whole
email address against the real Constant Contact (where the page says so under the box)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client as PageClient
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.v3.contacts.models import Contact
from tests.dashboard.conftest import Connected, LiveV3, pager_link

LIST_URL = "/contacts/"
ROW_LINK = re.compile(r'<a href="/contacts/[0-9a-f-]{36}/">([^<]+)</a>')
NOTE = "Constant Contact matches a whole email address only."


def emails(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return ROW_LINK.findall(response.content.decode())


@pytest.fixture
def people(connected: Connected) -> None:
    for email, first, last in [
        ("ana.lopez@example.org", "Ana", "Lopez"),
        ("jo.smith@example.com", "Jo", "Smith"),
        ("banana@example.net", "Kim", "Park"),
    ]:
        Contact.objects.create(
            account=connected.account,
            email_address=email,
            first_name=first,
            last_name=last,
            permission_to_send="implicit",
        )


@pytest.fixture
def builtin(live_v3: LiveV3, settings: SettingsWrapper) -> None:
    """The site's own /v3 is the live server's: the connection is the built-in service."""
    settings.SITE_URL = live_v3.url


@pytest.mark.usefixtures("builtin", "people")
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ana", ["ana.lopez@example.org", "banana@example.net"]),
        ("Smith", ["jo.smith@example.com"]),
        ("example.org", ["ana.lopez@example.org"]),
        ("jo.smith@example.com", ["jo.smith@example.com"]),
    ],
)
def test_the_builtin_service_searches_any_part(pages: PageClient, term: str, expected: list[str]) -> None:
    response = pages.get(LIST_URL, {"email": term})

    assert emails(response) == expected
    assert NOTE not in html.unescape(response.content.decode())


@pytest.mark.usefixtures("builtin", "people")
def test_the_search_is_kept_in_page_links(pages: PageClient, connected: Connected) -> None:
    Contact.objects.bulk_create(
        Contact(account=connected.account, email_address=f"ana{n:02d}@example.com") for n in range(60)
    )
    first = pages.get(LIST_URL, {"email": "ana"})
    assert len(emails(first)) == 50
    href = pager_link(first, "next")
    assert href and "ana" in href
    assert len(emails(pages.get(href))) == 12  # 62 in all match "ana"


@pytest.mark.usefixtures("people")
def test_elsewhere_the_box_is_the_exact_email_filter_with_a_note(
    pages: PageClient, connected: Connected, settings: SettingsWrapper
) -> None:
    # Without ``builtin`` the site's own /v3 is not where the connection's API is.
    assert not connected.connection.api_base_url.startswith(settings.SITE_URL)

    assert emails(pages.get(LIST_URL, {"email": "ana"})) == []
    response = pages.get(LIST_URL, {"email": "Jo.Smith@example.com"})
    assert emails(response) == ["jo.smith@example.com"]
    page = html.unescape(response.content.decode())
    assert f'<p class="contact-filters__hint" id="contact-search-note">{NOTE}</p>' in page
    assert 'aria-describedby="contact-search-note"' in page
