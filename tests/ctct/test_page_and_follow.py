"""One page at a time (``client.page``) and following the API's links (``client.follow``), over real HTTP.

Every V3 response these clients see is checked against the spec as it arrives (a response hook),
as the V3 tests check theirs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest

from apps.ctct import BadRequest, Client, Page
from apps.v3.contacts.models import Contact, ContactList, ListMembership
from tests.worker import CeleryWorker, wait_for

from .conftest import Wire

MakeClient = Callable[..., tuple[Client, Any]]
# Long enough for a worker to export a handful of contacts on a loaded machine.
EXPORT_TIMEOUT = 60.0


@pytest.fixture
def checked(
    make_client: MakeClient, issued_token: Callable[..., dict[str, Any]], v3_validate: Any
) -> tuple[Client, Wire]:
    """A client (and its wire) whose every V3 response is validated against the spec."""
    client, wire = make_client(issued_token())

    def validate(response: Any, *args: Any, **kwargs: Any) -> None:
        if "/v3/" in response.url:
            v3_validate(response)

    client.core.session.hooks["response"].append(validate)
    return client, wire


def lists_of(owner: Any, count: int) -> list[ContactList]:
    """``count`` lists ``L0``, ``L1`` ... on the owner's account."""
    return [ContactList.objects.create(account=owner.account, name=f"L{n}") for n in range(count)]


def test_page_walks_a_listing_one_page_at_a_time_by_cursor(checked: tuple[Client, Wire], owner: Any) -> None:
    client, wire = checked
    lists_of(owner, 7)

    first = client.page("getLists", limit=3, include_count=True)
    assert isinstance(first, Page) and len(first.items) == 3
    assert first.total == 7, "lists_count, because include_count asked for it"
    assert first.body["lists"] == first.items and first.next_cursor
    # The cursor is the next link's query: the API's cursor and the filters it repeats.
    assert "cursor" in parse_qs(first.next_cursor) and parse_qs(first.next_cursor)["limit"] == ["3"]

    second = client.page("getLists", first.next_cursor)
    third = client.page("getLists", second.next_cursor)
    assert [len(p.items) for p in (second, third)] == [3, 1] and third.next_cursor is None
    names = [item["name"] for page in (first, second, third) for item in page.items]
    assert sorted(names) == [f"L{n}" for n in range(7)]
    # A cursor is reusable: the same page again.
    assert client.page("getLists", first.next_cursor).items == second.items
    assert wire.api == [200] * 4


def test_a_listing_that_counts_nothing_has_no_total(checked: tuple[Client, Wire], owner: Any) -> None:
    client, _ = checked
    lists_of(owner, 2)
    page = client.page("getLists", limit=5)
    assert len(page.items) == 2 and page.total is None and page.next_cursor is None


def test_a_cursor_goes_only_to_the_operations_own_path(checked: tuple[Client, Wire], owner: Any) -> None:
    client, wire = checked
    lists_of(owner, 2)
    # Whatever a browser hands back as a cursor becomes the query of GET /contact_lists, nothing else.
    for forged in ("http://elsewhere.example/v3/contacts", "/../contacts"):
        # Parameters the listing does not know: the service leaves them, and answers the first page.
        assert [item["name"] for item in client.page("getLists", forged).items] == ["L0", "L1"]
    with pytest.raises(BadRequest) as refused:
        client.page("getLists", "cursor=forged")
    assert "cursor" in refused.value.error_message, "a cursor the API did not make is its 400"
    assert {path for _, path, _ in wire.calls} == {"/v3/contact_lists"}


def test_page_refuses_what_is_not_a_paged_listing_or_not_its_argument(checked: tuple[Client, Wire]) -> None:
    client, wire = checked
    with pytest.raises(ValueError, match="not a paged listing"):
        client.page("getAccountById")
    with pytest.raises(TypeError, match="takes no"):
        client.page("getLists", "cursor=x", limt=3)
    assert wire.calls == [], "nothing was sent"


def test_follow_answers_the_body_a_link_leads_to(checked: tuple[Client, Wire], owner: Any) -> None:
    client, wire = checked
    lists_of(owner, 3)
    body = client.contact_lists.get_lists(limit=2)
    href = body["_links"]["next"]["href"]
    assert href.startswith("/v3/contact_lists?")

    followed = client.follow(href)
    assert followed == client.page("getLists", client.page("getLists", limit=2).next_cursor).body
    assert len(followed["lists"]) == 1

    streamed = client.follow(href, stream=True)
    try:
        assert streamed.status_code == 200 and streamed.json() == followed
    finally:
        streamed.close()
    assert wire.api == [200] * 5


@pytest.mark.parametrize(
    "href",
    [
        "https://elsewhere.example/v3/contact_lists",
        "//elsewhere.example/v3/contact_lists",
        "/oauth2/default/v1/keys",  # the right host, outside the API's base URL
        "/v3/../oauth2/default/v1/keys",
        "/v3/%2e%2e/oauth2/default/v1/keys",
        "/v3evil/contact_lists",
    ],
)
def test_follow_refuses_a_link_that_leaves_the_base_url(checked: tuple[Client, Wire], href: str) -> None:
    client, wire = checked
    with pytest.raises(ValueError, match="refusing to follow"):
        client.follow(href)
    with pytest.raises(ValueError, match="refusing to follow"):
        client.follow(href, stream=True)
    assert wire.calls == [], "the token went nowhere"


@pytest.mark.worker
def test_follow_streams_a_finished_exports_file(worker: CeleryWorker, checked: tuple[Client, Wire], owner: Any) -> None:
    client, _ = checked
    members = ContactList.objects.create(account=owner.account, name="Members")
    for n in range(3):
        contact = Contact.objects.create(account=owner.account, email_address=f"m{n}@example.com")
        ListMembership.objects.create(contact=contact, contact_list=members)
    started = client.bulk_activities.post_contacts_export(
        body={"list_ids": [str(members.list_id)], "fields": ["email_address"]}
    )

    def finished() -> dict[str, Any] | None:
        activity: dict[str, Any] = client.bulk_activities.get_activity(started["activity_id"])
        return activity if activity["state"] in ("completed", "failed") else None

    activity = wait_for(finished, EXPORT_TIMEOUT, "the export to finish")
    assert activity["state"] == "completed", worker.log_tail()
    response = client.follow(activity["_links"]["results"]["href"], stream=True)
    try:
        text = b"".join(response.iter_content(1024)).decode()
    finally:
        response.close()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["email_address"] for row in rows) == [f"m{n}@example.com" for n in range(3)]
