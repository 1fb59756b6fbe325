"""A scripted browser for the dashboard's sign-in: real HTTP, cookies kept, forms filled like a person.

It clicks through the dashboard's login page, the built-in service's own sign-in page and its
consent page, and back to the dashboard's callback, exactly as a browser without JavaScript would.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import requests

from tests.v3.oauth_browser import form_fields

PASSWORD = "correct horse battery"


def form_action(html: str, marker: str) -> str:
    """The ``action`` of the first form whose HTML contains ``marker``."""
    for form in re.findall(r"<form\b.*?</form>", html, flags=re.DOTALL):
        if marker in form:
            match = re.search(r'action="([^"]*)"', form)
            return match.group(1) if match else ""
    raise AssertionError(f"no form containing {marker!r}")


def csrf_of(html: str) -> str:
    """The CSRF token rendered in a page."""
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """One person's browser against ``server``."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.session = requests.Session()

    def get(self, path: str, **kwargs: object) -> requests.Response:
        """GET a dashboard path (redirects followed)."""
        return self.session.get(urljoin(self.server, path), timeout=20, **kwargs)  # type: ignore[arg-type]

    def post_form(self, page: requests.Response, marker: str, data: dict[str, str] | None = None) -> requests.Response:
        """Submit the form containing ``marker`` on ``page`` with its CSRF token (redirects followed)."""
        action = urljoin(page.url, form_action(page.text, marker) or page.url)
        fields = {"csrfmiddlewaretoken": csrf_of(page.text), **(data or {})}
        return self.session.post(action, data=fields, headers={"Referer": page.url}, timeout=20)

    def start_flow(self, page: requests.Response, marker: str) -> requests.Response:
        """Submit the form containing ``marker`` that starts an OAuth flow; answer its redirect (not followed)."""
        action = urljoin(page.url, form_action(page.text, marker) or page.url)
        return self.session.post(
            action,
            data={"csrfmiddlewaretoken": csrf_of(page.text)},
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=20,
        )

    def start_sign_in(self) -> requests.Response:
        """Click "Sign in with Constant Contact"; answer the redirect to the authorization server."""
        return self.start_flow(self.get("/accounts/login/"), "Sign in with Constant Contact")

    def service_login(self, page: requests.Response, username: str) -> requests.Response:
        """Fill the service's own sign-in form; answer the consent page."""
        assert "/oauth2/login/" in page.url, page.url
        fields = form_fields(page.text)
        fields.update(username=username, password=PASSWORD)
        return self.session.post(page.url, data=fields, headers={"Referer": page.url}, timeout=20)

    def consent(self, page: requests.Response, allow: bool = True) -> requests.Response:
        """Answer the consent page; follow the redirect back through the dashboard's callback."""
        assert "authorizationForm" in page.text, page.text[:2000]
        fields = form_fields(page.text)
        if allow:
            fields["allow"] = "Authorize"
        return self.session.post(page.url, data=fields, headers={"Referer": page.url}, timeout=20)

    def authorize(self, redirect: requests.Response, username: str | None) -> requests.Response:
        """From the redirect to the authorization server to the dashboard page after the callback.

        ``username`` signs in at the service first; None when the service session is still signed in.
        """
        assert redirect.status_code == 302, redirect.text[:2000]
        page = self.session.get(redirect.headers["Location"], timeout=20)
        if username is not None:
            page = self.service_login(page, username)
        return self.consent(page)

    def sign_in(self, username: str) -> requests.Response:
        """The whole sign-in; answers the dashboard page it ends on."""
        return self.authorize(self.start_sign_in(), username)

    def forget_service_session(self) -> None:
        """Sign out at the authorization server, as a person switching Constant Contact users would."""
        for cookie in list(self.session.cookies):
            if cookie.name == "ctct_authz_sessionid":
                self.session.cookies.clear(cookie.domain, cookie.path, cookie.name)
