"""The base layout, the home page, and the static files it needs."""

from __future__ import annotations

from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.test import Client, RequestFactory

NAV = {
    "/contacts/": "Contacts",
    "/campaigns/": "Campaigns",
    "/events/": "Events",
    "/reporting/": "Reporting",
    "/partners/": "Partners",
}


def test_home_renders_the_layout(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<header" in html and "<nav" in html and "<main" in html
    assert ">ctctdash</a>" in html
    for href, label in NAV.items():
        assert f'<a href="{href}">{label}</a>' in html
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
