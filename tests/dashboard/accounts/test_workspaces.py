"""Workspace isolation: a member sees their workspaces' connections and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Connection
from apps.accounts.services import ACTIVE_CONNECTION_KEY

from .factories import ConnectionFactory, WorkspaceMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_workspaces() -> tuple[Any, Connection, Connection]:
    """Alice in workspace A with connection A; someone else's workspace B with connection B."""
    alice = WorkspaceMembershipFactory(workspace__name="Alpha Co")
    mine = ConnectionFactory(workspace=alice.workspace, organization_name="Alpha Bakery")
    theirs = ConnectionFactory(workspace=WorkspaceMembershipFactory(workspace__name="Beta Co").workspace)
    return alice, mine, theirs


def test_another_workspaces_pages_answer_404(client: Client, two_workspaces: Any) -> None:
    alice, _, theirs = two_workspaces
    client.force_login(alice.user)
    beta = theirs.workspace_id
    for url in [
        f"/accounts/connections/{theirs.pk}/",
        f"/accounts/connections/{theirs.pk}/remove/",
        f"/accounts/reconnect/{theirs.pk}/",
        f"/accounts/workspaces/{beta}/",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        f"/accounts/connections/{theirs.pk}/switch/",
        f"/accounts/connections/{theirs.pk}/remove/",
        f"/accounts/reconnect/{theirs.pk}/",
        f"/accounts/workspaces/{beta}/members/",
        f"/accounts/workspaces/{beta}/connections/new/",
    ]:
        assert client.post(url, {"email": "x@example.com", "role": "viewer"}).status_code == 404, url
    assert Connection.objects.filter(pk=theirs.pk).exists()


def test_the_header_lists_only_the_users_connections(client: Client, two_workspaces: Any) -> None:
    alice, mine, theirs = two_workspaces
    client.force_login(alice.user)
    html = client.get("/").content.decode()
    assert "Alpha Bakery" in html and theirs.organization_name not in html
    assert f"/accounts/connections/{mine.pk}/switch/" in html
    assert "Beta Co" not in client.get("/accounts/workspaces/").content.decode()


def test_a_stored_choice_the_user_may_not_use_falls_back_to_their_own(client: Client, two_workspaces: Any) -> None:
    alice, mine, theirs = two_workspaces
    client.force_login(alice.user)
    session = client.session
    session[ACTIVE_CONNECTION_KEY] = theirs.pk  # e.g. they were removed from that workspace
    session.save()
    html = client.get("/").content.decode()
    assert "You are working in <strong>Alpha Bakery</strong>" in html
    assert client.session[ACTIVE_CONNECTION_KEY] == mine.pk


def test_the_header_and_the_active_connection_read_the_connections_once(client: Client, two_workspaces: Any) -> None:
    alice, mine, _ = two_workspaces
    later = ConnectionFactory(
        workspace=WorkspaceMembershipFactory(user=alice.user, workspace__name="Zulu Co").workspace,
        organization_name="Zulu Print",
    )
    client.force_login(alice.user)
    session = client.session
    session[ACTIVE_CONNECTION_KEY] = later.pk  # the active one is not the first in the header's order
    session.save()
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    connection_queries = [q["sql"] for q in queries if '"accounts_connection"' in q["sql"]]
    assert len(connection_queries) == 1, connection_queries
    assert "You are working in <strong>Zulu Print</strong>" in html
    switcher = html[html.index('class="switcher__panel"') :]
    assert switcher.index("Alpha Co") < switcher.index("Alpha Bakery") < switcher.index("Zulu Co")
    assert switcher.index("Zulu Co") < switcher.index("Zulu Print")
    assert 'aria-current="true">Zulu Print</button>' in html and 'aria-current="true">Alpha Bakery' not in html
    assert client.session[ACTIVE_CONNECTION_KEY] == later.pk


def test_switching_the_active_connection(client: Client, two_workspaces: Any) -> None:
    alice, mine, _ = two_workspaces
    other = ConnectionFactory(workspace=alice.workspace, organization_name="Alpha Florist")
    client.force_login(alice.user)
    response = client.post(f"/accounts/connections/{other.pk}/switch/", {"next": "/accounts/workspaces/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/workspaces/"
    assert client.session[ACTIVE_CONNECTION_KEY] == other.pk
    assert 'aria-current="true">Alpha Florist</button>' in client.get("/").content.decode()
    # Only this site's pages are followed after switching; a GET changes nothing.
    assert client.post(f"/accounts/connections/{mine.pk}/switch/", {"next": "https://evil.example/"})["Location"] == "/"
    assert client.get(f"/accounts/connections/{other.pk}/switch/").status_code == 405


def test_pages_need_sign_in(client: Client, two_workspaces: Any) -> None:
    _, mine, _ = two_workspaces
    for url in ["/accounts/workspaces/", f"/accounts/connections/{mine.pk}/", f"/accounts/reconnect/{mine.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), url


def test_an_empty_workspace_list_and_a_user_without_connections(client: Client) -> None:
    member = WorkspaceMembershipFactory(workspace__name="Gamma Co")
    client.force_login(member.user)
    home = client.get("/").content.decode()
    assert "No Constant Contact account is connected yet." in home and "No connection" in home
    assert (
        "No Constant Contact account is connected to this workspace yet."
        in client.get("/accounts/workspaces/").content.decode()
    )


def test_creating_a_workspace_makes_the_user_its_owner(client: Client) -> None:
    member = WorkspaceMembershipFactory()
    client.force_login(member.user)
    assert client.post("/accounts/workspaces/new/", {"name": "", "kind": "agency"}).status_code == 400
    response = client.post("/accounts/workspaces/new/", {"name": "Blue Agency", "kind": "agency"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Blue Agency" in page and "Agency · you are owner" in page
