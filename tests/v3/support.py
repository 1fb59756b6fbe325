"""Helpers that tests of every V3 domain share: the error envelope, paged listings, mailed links.

Fixtures live in ``conftest.py``; these are plain functions, imported where they are used.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.core import mail
from django.http import HttpResponse

from tests.v3.conftest import V3Api


def error_of(response: Any) -> dict[str, str]:
    """The first entry of an array error envelope."""
    body = response.json()
    assert isinstance(body, list) and body, body
    return body[0]


def error(response: Any, status: int, *words: str) -> str:
    """The error message of an enveloped error response with ``status``, asserting it names each of ``words``."""
    assert response.status_code == status, response.content
    message: str = response.json()[0]["error_message"]
    for word in words:
        assert word in message, message
    return message


def follow_all(api: V3Api, path: str, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a paged listing, following ``_links.next.href`` to the end."""
    response = api.get(path, params=params)
    items: list[dict[str, Any]] = []
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        items += body[key]
        href = body.get("_links", {}).get("next", {}).get("href")
        if not href:
            return items
        response = api.get(href.removeprefix("/v3"))


def mailed_path(message: mail.EmailMessage) -> str:
    """The path of the link in a mail (a confirmation or a resubscribe mail)."""
    link = re.search(r"https?://\S+", str(message.body))
    assert link is not None
    return urlsplit(link.group()).path


def csrf_token(page: HttpResponse) -> str:
    """The CSRF token of a page's form, as a browser posts it back."""
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert found is not None, page.content
    return found.group(1).decode()
