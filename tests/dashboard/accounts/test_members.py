"""Members and roles: who may add, invite, change and remove whom."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from apps.accounts.models import Invitation, Membership, Role

from .factories import DashboardUserFactory, WorkspaceMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team() -> dict[str, Membership]:
    """A workspace with one member of each role."""
    owner = WorkspaceMembershipFactory(role=Role.OWNER, workspace__name="Team Co")
    return {
        "owner": owner,
        **{
            role: WorkspaceMembershipFactory(workspace=owner.workspace, role=role)
            for role in ["admin", "marketer", "viewer"]
        },
    }


def as_member(client: Client, member: Membership) -> str:
    """Sign ``member`` in; the workspace's URL prefix."""
    client.force_login(member.user)
    return f"/accounts/workspaces/{member.workspace_id}"


def role_of(member: Membership) -> str:
    return Membership.objects.get(pk=member.pk).role


@pytest.mark.parametrize("role", ["marketer", "viewer"])
def test_marketers_and_viewers_cannot_manage_members(client: Client, team: dict[str, Membership], role: str) -> None:
    prefix = as_member(client, team[role])
    newcomer = DashboardUserFactory()
    assert client.post(f"{prefix}/members/", {"email": newcomer.email, "role": "viewer"}).status_code == 403
    target = team["viewer" if role == "marketer" else "marketer"]
    assert client.post(f"{prefix}/members/{target.pk}/role/", {f"m{target.pk}-role": "admin"}).status_code == 403
    assert client.post(f"{prefix}/members/{target.pk}/remove/").status_code == 403
    assert client.post(f"{prefix}/connections/new/").status_code == 403
    page = client.get(prefix + "/").content.decode()
    assert "Add a member" not in page and "Change role" not in page
    assert not Membership.objects.filter(user=newcomer).exists() and role_of(target) == target.role


def test_an_admin_adds_a_dashboard_user_by_email_at_once(client: Client, team: dict[str, Membership]) -> None:
    prefix = as_member(client, team["admin"])
    newcomer = DashboardUserFactory(email="pat@example.org")
    response = client.post(f"{prefix}/members/", {"email": "PAT@example.org", "role": "marketer"}, follow=True)
    assert f"{newcomer.username} is now a member." in response.content.decode()
    assert Membership.objects.get(user=newcomer, workspace=team["admin"].workspace).role == Role.MARKETER
    assert not mail.outbox
    again = client.post(f"{prefix}/members/", {"email": "pat@example.org", "role": "viewer"}, follow=True)
    assert "already a member" in again.content.decode()


def test_anyone_else_gets_an_invitation_they_accept_by_signing_in(client: Client, team: dict[str, Membership]) -> None:
    prefix = as_member(client, team["admin"])
    response = client.post(f"{prefix}/members/", {"email": "new@example.org", "role": "viewer"}, follow=True)
    assert "Invitation sent to new@example.org." in response.content.decode()
    invitation = Invitation.objects.get()
    (message,) = mail.outbox
    assert message.to == ["new@example.org"] and "Team Co" in message.subject
    link = f"/accounts/invitations/{invitation.token}/"
    assert link in message.body

    invitee = DashboardUserFactory()
    client.logout()
    assert client.get(link)["Location"].startswith("/accounts/login/?next=")  # sign in first
    client.force_login(invitee)
    assert "Accept and join" in client.get(link).content.decode()
    joined = client.post(link, follow=True)
    assert "You joined Team Co." in joined.content.decode()
    assert Membership.objects.get(user=invitee, workspace=team["admin"].workspace).role == Role.VIEWER
    assert "expired or has already been used" in client.get(link).content.decode()
    assert client.get("/accounts/invitations/not-a-token/").status_code == 404


def test_a_bad_email_is_shown_on_the_page(client: Client, team: dict[str, Membership]) -> None:
    prefix = as_member(client, team["owner"])
    response = client.post(f"{prefix}/members/", {"email": "not an address", "role": "viewer"})
    assert response.status_code == 400 and "Enter a valid email address." in response.content.decode()


def test_admins_never_touch_owners_or_make_them(client: Client, team: dict[str, Membership]) -> None:
    prefix = as_member(client, team["admin"])
    owner, marketer = team["owner"], team["marketer"]
    assert client.post(f"{prefix}/members/{owner.pk}/role/", {f"m{owner.pk}-role": "viewer"}).status_code == 403
    assert client.post(f"{prefix}/members/{marketer.pk}/role/", {f"m{marketer.pk}-role": "owner"}).status_code == 403
    assert client.post(f"{prefix}/members/{owner.pk}/remove/").status_code == 403
    assert client.post(f"{prefix}/members/", {"email": "x@example.org", "role": "owner"}).status_code == 403
    assert (role_of(owner), role_of(marketer)) == (Role.OWNER, Role.MARKETER)
    # Everything below owner is theirs to manage.
    response = client.post(f"{prefix}/members/{marketer.pk}/role/", {f"m{marketer.pk}-role": "viewer"}, follow=True)
    assert "is now viewer" in response.content.decode() and role_of(marketer) == Role.VIEWER
    viewer = team["viewer"]
    assert "Remove " in client.get(f"{prefix}/members/{viewer.pk}/remove/").content.decode()
    client.post(f"{prefix}/members/{viewer.pk}/remove/")
    assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_a_workspace_always_keeps_an_owner(client: Client, team: dict[str, Membership]) -> None:
    owner, admin = team["owner"], team["admin"]
    prefix = as_member(client, owner)
    response = client.post(f"{prefix}/members/{owner.pk}/role/", {f"m{owner.pk}-role": "admin"}, follow=True)
    assert "A workspace needs an owner" in response.content.decode() and role_of(owner) == Role.OWNER
    assert (
        "A workspace needs an owner"
        in client.post(f"{prefix}/members/{owner.pk}/remove/", follow=True).content.decode()
    )
    # With a second owner, the first may step down or leave.
    client.post(f"{prefix}/members/{admin.pk}/role/", {f"m{admin.pk}-role": "owner"})
    assert role_of(admin) == Role.OWNER
    left = client.post(f"{prefix}/members/{owner.pk}/remove/", follow=True)
    assert "You left Team Co." in left.content.decode()
    assert not Membership.objects.filter(pk=owner.pk).exists()
    assert client.get(prefix + "/").status_code == 404


def test_withdrawing_an_invitation(client: Client, team: dict[str, Membership]) -> None:
    prefix = as_member(client, team["owner"])
    client.post(f"{prefix}/members/", {"email": "late@example.org", "role": "viewer"})
    invitation = Invitation.objects.get()
    as_member(client, team["marketer"])
    assert client.post(f"{prefix}/invitations/{invitation.pk}/revoke/").status_code == 403
    as_member(client, team["owner"])
    client.post(f"{prefix}/invitations/{invitation.pk}/revoke/")
    assert not Invitation.objects.exists()
