"""The base layout, the home page, and the static files it needs."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.test import Client, RequestFactory, override_settings

NAV = {"/contacts/": "Contacts", "/jobs/": "Imports and exports", "/campaigns/": "Campaigns", "/reports/": "Reports"}
# Sections whose pages do not exist yet are not linked: each would be a 404.
NOT_YET = ["/events/", "/reporting/", "/partners/"]


def test_home_renders_the_layout(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<header" in html and "<nav" in html and "<main" in html
    assert ">ctctdash</a>" in html
    for href, label in NAV.items():
        assert f'<a href="{href}">{label}</a>' in html
    for href in NOT_YET:
        assert f'href="{href}"' not in html
    assert '<a class="button button--quiet" href="/accounts/login/">Sign in</a>' in html
    assert f'<script src="{static("django_htmx/htmx.min.js")}" defer></script>' in html
    assert f'<link rel="stylesheet" href="{static("css/app.css")}">' in html


def test_home_links_the_v3_contract(client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'href="/v3/swagger.json"' in html


def test_flash_messages_are_shown_with_their_level(rf: RequestFactory) -> None:
    request = rf.get("/")
    # Where the messages middleware would keep them; the context processor reads them from here.
    request._messages = [Message(constants.SUCCESS, "Contacts imported")]  # type: ignore[attr-defined]
    html = render_to_string("base.html", request=request)
    assert '<li class="message message--success">Contacts imported</li>' in html


def test_the_stylesheet_is_served(client: Client) -> None:
    response = client.get(static("css/app.css"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert ".site-header" in body


def test_htmx_is_served_from_django_htmx(client: Client) -> None:
    response = client.get(static("django_htmx/htmx.min.js"))
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]


# --- the project's own error pages, in every environment ----------------------------------------


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_an_unknown_page_is_the_projects_own_404(client: Client, debug: bool) -> None:
    with override_settings(DEBUG=debug):
        response = client.get("/no-such-section/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "/no-such-section/" in page
    assert "URLconf" not in page and "DEBUG = True" not in page  # nothing of the URL conf is listed


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_server_error_is_the_projects_own_500(debug: bool, caplog: pytest.LogCaptureFixture) -> None:
    quiet = Client(raise_request_exception=False)
    with override_settings(DEBUG=debug, ROOT_URLCONF="tests.foundation.broken_urls"):
        response = quiet.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "a secret in a traceback" not in page and "Traceback" not in page
    assert "a secret in a traceback" in caplog.text  # still logged where a developer looks
