"""A tiny scripted "browser" for the authorization pages: sign in, then allow or deny consent.

It speaks real HTTP to the live server with a cookie-keeping requests session and fills the
same forms a person would (CSRF token included), so the flow under test is the real one.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin

import requests


def form_fields(html: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]*)"', tag)
        if kind and kind.group(1) == "submit":
            continue
        # A browser sends only the checked radio button or checkbox of a group.
        if kind and kind.group(1) in ("radio", "checkbox") and not re.search(r"\schecked\b", tag):
            continue
        fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def signed_in(authorization_url: str, username: str, password: str, browser: requests.Session) -> requests.Response:
    """The page after opening ``authorization_url``, signing in first if the service asks."""
    page = browser.get(authorization_url, allow_redirects=True, timeout=10)
    if "/oauth2/login/" in page.url:
        fields = form_fields(page.text)
        fields.update(username=username, password=password)
        page = browser.post(page.url, data=fields, headers={"Referer": page.url}, allow_redirects=True, timeout=10)
    return page


def authorize(
    authorization_url: str,
    username: str,
    password: str,
    allow: bool = True,
    account: str | None = None,
    browser: requests.Session | None = None,
) -> requests.Response:
    """Walk the login and consent pages; return the final redirect to the client (not followed).

    ``account`` picks an account on the consent page (an encoded account id) instead of the
    preselected one; ``browser`` keeps one person's cookies across several authorizations.
    """
    browser = browser or requests.Session()
    page = signed_in(authorization_url, username, password, browser)
    assert "authorizationForm" in page.text, page.text[:2000]
    fields = form_fields(page.text)
    if allow:
        fields["allow"] = "Authorize"
    if account is not None:
        fields["account"] = account
    response = browser.post(page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:2000]
    response.headers["Location"] = urljoin(page.url, response.headers["Location"])
    return response


def consent_page(
    authorization_url: str, username: str, password: str, browser: requests.Session | None = None
) -> requests.Response:
    """The consent page, after signing in."""
    return signed_in(authorization_url, username, password, browser or requests.Session())
