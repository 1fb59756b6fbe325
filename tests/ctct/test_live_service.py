"""The client against the live built-in service over real HTTP: calls, paging, and every error class."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from apps.ctct import (
    BadRequest,
    Client,
    Conflict,
    CtctError,
    Forbidden,
    NotFound,
    QuotaExceeded,
    Throttled,
    Unauthorized,
    UnsupportedMediaType,
    core,
)
from apps.v3.contacts.models import ContactList, CustomField, Tag

from .conftest import Wire, revoke_server_side

MakeClient = Callable[..., tuple[Client, Any]]
ADDRESS = {
    "address_line1": "123 Maple Street",
    "city": "Boston",
    "state_code": "MA",
    "postal_code": "02451",
    "country_code": "US",
}


@pytest.fixture
def client_wire(make_client: MakeClient, issued_token: Callable[..., dict[str, Any]]) -> tuple[Client, Wire]:
    """A client with a plain access token for an account owner with every scope."""
    return make_client(issued_token())


@pytest.fixture
def client(client_wire: tuple[Client, Wire]) -> Client:
    return client_wire[0]


def test_account_services_round_trip(client: Client, owner: Any) -> None:
    summary = client.account_services.get_account_by_id()
    assert summary["encoded_account_id"] == owner.account.encoded_account_id
    privileges = client.account_services.get_user_privileges()
    assert isinstance(privileges, list) and privileges

    created = client.account_services.add_physical_address(body=ADDRESS)
    assert created["city"] == "Boston"
    with_address = client.account_services.get_account_by_id(extra_fields=["physical_address"])
    assert with_address["physical_address"]["postal_code"] == "02451"
    # The generic entry point reaches the same operation by its spec id.
    assert client.call("getPhysicalAddress")["state_code"] == "MA"


def test_list_query_values_are_comma_joined(client: Client, owner: Any) -> None:
    owner.account.company_logo_url = "https://files.example.com/logo.png"
    owner.account.save()
    client.account_services.add_physical_address(body=ADDRESS)
    both = client.account_services.get_account_by_id(extra_fields=["physical_address", "company_logo"])
    assert both["company_logo"] == {"url": "https://files.example.com/logo.png"}
    assert both["physical_address"]["city"] == "Boston"


@pytest.mark.parametrize(
    ("model", "operation", "items", "make"),
    [
        ("lists", "getLists", "lists", lambda account, i: ContactList.objects.create(account=account, name=f"L{i}")),
        ("tags", "getTags", "tags", lambda account, i: Tag.objects.create(account=account, name=f"T{i}")),
        (
            "custom_fields",
            "getCustomFields",
            "custom_fields",
            lambda account, i: CustomField.objects.create(account=account, label=f"F{i}", name=f"f{i}", type="string"),
        ),
    ],
)
def test_paging_follows_next_links_to_the_end(
    client_wire: tuple[Client, Wire], owner: Any, model: str, operation: str, items: str, make: Any
) -> None:
    client, wire = client_wire
    rows = [make(owner.account, i) for i in range(7)]
    pages = list(client.pages(operation, limit=3))
    assert [len(page[items]) for page in pages] == [3, 3, 1]
    assert "next" not in (pages[-1].get("_links") or {})
    seen = list(client.paginate(operation, items_key=items, limit=3))
    assert len(seen) == len(rows) == len({repr(item) for item in seen})
    assert wire.api == [200] * 6


def test_typed_iterators_page_like_the_generic_one(client: Client, owner: Any) -> None:
    for i in range(5):
        ContactList.objects.create(account=owner.account, name=f"List {i}")
        Tag.objects.create(account=owner.account, name=f"Tag {i}")
    assert sorted(row["name"] for row in client.contact_lists.iter_lists(limit=2)) == [f"List {i}" for i in range(5)]
    assert sorted(row["name"] for row in client.contact_tags.iter_tags(limit=2)) == [f"Tag {i}" for i in range(5)]


def test_contacts_lifecycle_with_list_filters_and_includes(client_wire: tuple[Client, Wire], owner: Any) -> None:
    client, wire = client_wire
    lists = [ContactList.objects.create(account=owner.account, name=name) for name in ("News", "Events")]
    list_ids = [str(row.list_id) for row in lists]
    for n in range(5):
        client.contacts.create_contact(
            body={
                "create_source": "Account",
                "email_address": {"address": f"c{n}@example.com"},
                "list_memberships": list_ids[: 1 + n % 2],
            }
        )
    # ``lists`` and ``include`` take Python lists; the client sends them comma-separated.
    in_both = list(client.contacts.iter_contacts(lists=list_ids, include=["list_memberships"], limit=2))
    assert len(in_both) == 5 and all(c["list_memberships"] for c in in_both)
    in_events = list(client.contacts.iter_contacts(lists=[list_ids[1]], limit=2))
    assert sorted(c["email_address"]["address"] for c in in_events) == ["c1@example.com", "c3@example.com"]

    contact_id = in_events[0]["contact_id"]
    assert client.contacts.get_contact(contact_id)["contact_id"] == contact_id
    assert client.contacts.delete_contact(contact_id) is None, "204: no body"
    assert "deleted_at" in client.contacts.get_contact(contact_id), "the service keeps deleted contacts readable"
    assert len(list(client.contacts.iter_contacts(limit=2))) == 4
    assert 204 in wire.api


# --- errors, from real responses ---------------------------------------------------------------


def test_400_bad_parameter(client: Client) -> None:
    with pytest.raises(BadRequest) as caught:
        client.contact_lists.get_lists(limit=0)
    assert caught.value.status == 400
    assert caught.value.error_key == "api.validation.error"
    assert "limit" in caught.value.error_message
    assert caught.value.errors[0].error_message == caught.value.error_message


def test_404_not_found(client: Client) -> None:
    with pytest.raises(NotFound) as caught:
        client.account_services.get_physical_address()
    assert caught.value.status == 404 and caught.value.error_key == "api.resource.not_found"


def test_409_duplicate(client: Client) -> None:
    client.account_services.add_physical_address(body=ADDRESS)
    with pytest.raises(Conflict) as caught:
        client.account_services.add_physical_address(body=ADDRESS)
    assert caught.value.status == 409 and caught.value.error_message


def test_415_unsupported_media_type(client: Client) -> None:
    # The resource methods always send JSON; the core's send is the one way to send anything else.
    with pytest.raises(UnsupportedMediaType) as caught:
        client.core.send("POST", client.core.base_url + "/account/emails", data="email_address=x")
    assert caught.value.status == 415 and caught.value.error_key == "api.unsupported_media_type"


def test_403_missing_scope(make_client: MakeClient, issued_token: Callable[..., dict[str, Any]]) -> None:
    client, _ = make_client(issued_token(["account_read"]))
    with pytest.raises(Forbidden) as caught:
        client.account_services.put_customer_by_id(body={"organization_name": "Nope"})
    assert caught.value.status == 403


def test_401_object_envelope_without_a_refresh_token(
    make_client: MakeClient, issued_token: Callable[..., dict[str, Any]]
) -> None:
    token = issued_token()
    client, wire = make_client(token)
    revoke_server_side(token)
    with pytest.raises(Unauthorized) as caught:
        client.account_services.get_user_privileges()
    # The single-object envelope: one entry, its key and message read from the object.
    assert caught.value.error_key == "unauthorized"
    assert "revoked" in caught.value.error_message
    assert len(caught.value.errors) == 1
    assert wire.api == [401] and wire.token_requests == 0, "nothing to refresh with: no retry"
    assert isinstance(caught.value, CtctError)


# --- the service's own rate limits -------------------------------------------------------------


def test_throttled_requests_back_off_and_succeed(
    make_client: MakeClient, issued_token: Callable[..., dict[str, Any]], settings: Any
) -> None:
    settings.V3_RATE_LIMIT_PER_SECOND = 2  # the service throttles; the client's own limiter would not
    client, wire = make_client(issued_token(), throttle_retries=6, backoff_base=0.2)
    for _ in range(5):
        assert client.account_services.get_user_privileges()
    assert 429 in wire.api, "the service really throttled"
    assert wire.api.count(200) == 5, "every call ended in success"


def test_throttled_gives_up_after_its_retries(
    make_client: MakeClient, issued_token: Callable[..., dict[str, Any]], settings: Any
) -> None:
    settings.V3_RATE_LIMIT_PER_SECOND = 1
    client, wire = make_client(issued_token(), throttle_retries=0)
    calls = 0
    with pytest.raises(Throttled) as caught:
        # Two calls share the service's one-second window unless they straddle its edge; a third
        # cannot straddle a second edge too.
        for _ in range(3):
            calls += 1
            client.account_services.get_user_privileges()
    assert caught.value.error_key == "throttled" and caught.value.retry_after == 1
    assert len(wire.api) == calls and wire.api[-1] == 429, "no retry was sent"


def test_quota_exceeded_is_raised_without_retry(
    make_client: MakeClient, issued_token: Callable[..., dict[str, Any]], settings: Any
) -> None:
    settings.V3_RATE_LIMIT_PER_DAY = 2
    client, wire = make_client(issued_token())
    client.account_services.get_user_privileges()
    client.account_services.get_user_privileges()
    with pytest.raises(QuotaExceeded) as caught:
        client.account_services.get_user_privileges()
    assert caught.value.status == 429 and caught.value.error_key == "quota_exceeded"
    assert caught.value.response is not None, "the service's answer, not the client's own limiter"
    assert wire.api == [200, 200, 429]


def test_clients_of_one_process_reuse_one_pool_of_keep_alive_connections(
    make_client: MakeClient, issued_token: Callable[..., dict[str, Any]], server: str
) -> None:
    manager = core._connection_pool(os.getpid()).poolmanager
    host = urlsplit(server)

    def counts() -> tuple[int, int]:
        """Requests sent and connections opened by the shared pools to the live server."""
        pools = [manager.pools[key] for key in manager.pools.keys()]  # noqa: SIM118 - RecentlyUsedContainer
        mine = [p for p in pools if (p.host, p.port) == (host.hostname, host.port)]
        return sum(p.num_requests for p in mine), sum(p.num_connections for p in mine)

    requests_before, connections_before = counts()
    token = issued_token()
    for _ in range(3):  # a client per page, as the dashboard makes them
        client, _ = make_client(token)
        client.account_services.get_account_by_id()
        client.close()
    requests_after, connections_after = counts()
    assert requests_after - requests_before == 3, "every client's request went through the shared pool"
    # One connection at most was opened (none if an earlier test left one idle): the others were reused.
    assert connections_after - connections_before <= 1
