"""The client's extension of the spec: ``getContacts`` ``search``, against the live built-in service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from apps.ctct import Client
from apps.ctct.extensions import EXTENSIONS, OPERATIONS
from apps.ctct.operations import OPERATIONS as SPEC_OPERATIONS

MakeClient = Callable[..., tuple[Client, Any]]

PEOPLE = [
    ("ana.lopez@example.org", "Ana", "Lopez"),
    ("jo.smith@example.com", "Jo", "Smith"),
    ("banana@example.net", "Kim", "Park"),
    ("lee@example.com", "Lee", "Blacksmith"),
]


@pytest.fixture
def client(make_client: MakeClient, issued_token: Callable[..., dict[str, Any]]) -> Client:
    client, _ = make_client(issued_token())
    for email, first, last in PEOPLE:
        client.contacts.create_contact(
            body={
                "email_address": {"address": email},
                "first_name": first,
                "last_name": last,
                "create_source": "Account",
            }
        )
    return client


def _emails(client: Client, **params: Any) -> list[str]:
    return sorted(c["email_address"]["address"] for c in client.paginate("getContacts", **params))


def test_extensions_name_real_operations_and_leave_the_derived_table_alone() -> None:
    assert set(EXTENSIONS) <= set(SPEC_OPERATIONS)
    assert "search" not in {p.name for p in SPEC_OPERATIONS["getContacts"].params}
    assert "search" in {p.name for p in OPERATIONS["getContacts"].params}


def test_search_matches_any_part_of_names_or_email(client: Client) -> None:
    assert _emails(client, search="ana") == ["ana.lopez@example.org", "banana@example.net"]
    assert _emails(client, search="Smith") == ["jo.smith@example.com", "lee@example.com"]
    assert _emails(client, search="EXAMPLE.ORG") == ["ana.lopez@example.org"]
    # The spec's exact email filter is unchanged.
    assert _emails(client, email="ana") == []


def test_search_combines_with_filters_and_the_cursor(client: Client) -> None:
    first = client.page("getContacts", search="example", limit=1, include_count=True)
    assert first.total == 4 and len(first.items) == 1 and first.next_cursor
    assert "search=example" in first.next_cursor
    seen = [first.items[0]["email_address"]["address"]]
    cursor: str | None = first.next_cursor
    while cursor:
        page = client.page("getContacts", cursor)
        seen += [c["email_address"]["address"] for c in page.items]
        cursor = page.next_cursor
    assert sorted(seen) == sorted(p[0] for p in PEOPLE)
    assert _emails(client, search="smith", email="lee@example.com") == ["lee@example.com"]


def test_an_unknown_argument_is_still_refused(client: Client) -> None:
    with pytest.raises(TypeError, match="takes no serch"):
        client.page("getContacts", serch="ana")
