"""Resolving ``_links.next.href`` against the base URL, for the built-in service and the real one."""

from __future__ import annotations

import pytest

from apps.ctct.paging import next_href, resolve_next


@pytest.mark.parametrize(
    ("base", "href", "expected"),
    [
        # Host-relative, as both services send it: the base's path must not be doubled.
        ("https://api.cc.email/v3", "/v3/contacts?cursor=abc", "https://api.cc.email/v3/contacts?cursor=abc"),
        ("https://api.cc.email/v3/", "/v3/contacts?cursor=abc", "https://api.cc.email/v3/contacts?cursor=abc"),
        ("http://127.0.0.1:8000/v3", "/v3/contact_lists?cursor=x", "http://127.0.0.1:8000/v3/contact_lists?cursor=x"),
        # Absolute on the same origin.
        (
            "https://api.cc.email/v3",
            "https://api.cc.email/v3/contacts?cursor=z",
            "https://api.cc.email/v3/contacts?cursor=z",
        ),
        ("https://api.cc.email/v3", "https://API.cc.email/v3/contacts?c=1", "https://API.cc.email/v3/contacts?c=1"),
        # Relative to the API root, should a server send it that way.
        ("https://api.cc.email/v3", "contacts?cursor=abc", "https://api.cc.email/v3/contacts?cursor=abc"),
    ],
)
def test_resolve_next(base: str, href: str, expected: str) -> None:
    assert resolve_next(base, href) == expected


@pytest.mark.parametrize(
    "href", ["https://evil.example/v3/contacts?cursor=a", "//evil.example/v3/contacts", "http://api.cc.email/v3/x"]
)
def test_next_links_to_another_origin_are_refused(href: str) -> None:
    with pytest.raises(ValueError, match="another origin"):
        resolve_next("https://api.cc.email/v3", href)


def test_next_href() -> None:
    assert next_href({"_links": {"next": {"href": "/v3/x?cursor=1"}}}) == "/v3/x?cursor=1"
    assert next_href({"_links": {}}) is None
    assert next_href({"contacts": []}) is None
    assert next_href({"_links": {"next": {"href": ""}}}) is None
    assert next_href([1, 2]) is None
