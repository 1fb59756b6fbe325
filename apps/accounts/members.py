"""Workspace members: adding and inviting by email, changing roles, removing, accepting invitations.

Each action takes the acting member's ``Membership`` and checks what that role allows: owners
and admins manage members, admins never touch owners or make new ones, and a workspace always
keeps at least one owner. A refused action raises ``MemberChangeRefused`` with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invitation, Membership, Role
from .providers.constantcontact.conf import PROVIDER_ID

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "MemberChangeForbidden",
    "MemberChangeRefused",
    "accept_invitation",
    "add_member",
    "change_role",
    "remove_member",
    "revoke_invitation",
]


class MemberChangeRefused(Exception):
    """The change cannot be made (e.g. it would leave no owner); the message says why."""


class MemberChangeForbidden(MemberChangeRefused):
    """The acting member's role does not allow this change."""


def _require_manager(actor: Membership) -> None:
    if not actor.can_manage:
        raise MemberChangeForbidden("Only the workspace's owners and admins can manage members.")


def _require_assignable(actor: Membership, role: str) -> None:
    if role not in actor.assignable_roles():
        raise MemberChangeForbidden(f"As {actor.get_role_display().lower()} you cannot give the {role} role.")


def _dashboard_user_with_email(email: str) -> User | None:
    """The one dashboard user (signed in with Constant Contact) with this address, if exactly one.

    Service users share the user table, but only people who have signed in to the dashboard
    count here; an address two dashboard users share is ambiguous, so it gets an invitation.
    """
    dashboard_users = SocialAccount.objects.filter(provider=PROVIDER_ID).values("user_id")
    matches = list(get_user_model().objects.filter(email__iexact=email, pk__in=dashboard_users)[:2])
    return matches[0] if len(matches) == 1 else None


def _send_invitation(invitation: Invitation) -> None:
    link = settings.SITE_URL + reverse("accounts:invitation", args=[invitation.token])
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        message=render_to_string("accounts/email/invitation_body.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def add_member(actor: Membership, email: str, role: str) -> Membership | Invitation:
    """Add the dashboard user with ``email`` at once, or email them an invitation.

    The invitation mail is sent inside the transaction, so an invitation that could not be sent
    is not left behind.
    """
    _require_manager(actor)
    _require_assignable(actor, role)
    workspace = actor.workspace
    user = _dashboard_user_with_email(email)
    with transaction.atomic():
        if user is not None:
            membership, created = Membership.objects.get_or_create(
                workspace=workspace, user=user, defaults={"role": role}
            )
            if not created:
                raise MemberChangeRefused(f"{email} is already a member of {workspace.name}.")
            return membership
        invitation = Invitation.objects.create(workspace=workspace, email=email, role=role, invited_by=actor.user)
        _send_invitation(invitation)
        return invitation


def _owners_left_without(member: Membership) -> int:
    """How many other owners the workspace has, with its owner rows locked until the transaction ends.

    The lock keeps two owners demoting each other at the same moment from leaving none.
    """
    owners = Membership.objects.select_for_update().filter(workspace_id=member.workspace_id, role=Role.OWNER)
    return len([pk for pk in owners.values_list("pk", flat=True) if pk != member.pk])


@transaction.atomic
def change_role(actor: Membership, member: Membership, role: str) -> Membership:
    """Give ``member`` the role ``role``."""
    _require_manager(actor)
    if not actor.may_change(member):
        raise MemberChangeForbidden("Admins cannot change an owner's role.")
    _require_assignable(actor, role)
    if member.role == Role.OWNER and role != Role.OWNER and _owners_left_without(member) == 0:
        raise MemberChangeRefused("A workspace needs an owner: make someone else owner first.")
    member.role = role
    member.save(update_fields=["role"])
    return member


@transaction.atomic
def remove_member(actor: Membership, member: Membership) -> Membership:
    """Remove ``member`` from the workspace (anyone may leave; managers may remove others); answer it."""
    if member.pk != actor.pk and not actor.may_change(member):
        raise MemberChangeForbidden("Only owners can remove an owner; admins can remove other members.")
    if member.role == Role.OWNER and _owners_left_without(member) == 0:
        raise MemberChangeRefused("A workspace needs an owner: make someone else owner first.")
    member.delete()
    return member


def revoke_invitation(actor: Membership, invitation: Invitation) -> None:
    """Withdraw an invitation that has not been accepted."""
    _require_manager(actor)
    invitation.delete()


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Join the invitation's workspace as ``user``, with its role (a current member keeps theirs)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise MemberChangeRefused("This invitation has expired or has already been used.")
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
