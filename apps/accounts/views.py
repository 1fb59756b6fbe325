"""Dashboard pages owned by accounts: home, workspaces, members, invitations and connections.

Every lookup goes through the signed-in user's memberships, so another workspace's ids answer
404 exactly like ids that do not exist. Changes are POST only and redirect afterwards; each page
works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import requests
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from oauthlib.oauth2 import OAuth2Error

from apps.ctct import CtctError, Unauthorized

from . import members as member_actions
from .connect import start_connect
from .forms import MemberAddForm, MemberRoleForm, WorkspaceForm
from .models import Connection, Invitation, Membership
from .overview import account_overview
from .services import active_connection, client_for, create_workspace, switch_connection

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def home(request: HttpRequest) -> HttpResponse:
    """The landing page; signed in, the active account at a glance and, while it is empty, first steps."""
    context: dict[str, Any] = {}
    if request.user.is_authenticated:
        connection = context["active_connection"] = active_connection(request)
        if connection is not None:
            try:
                with client_for(request, connection) as client:
                    context["overview"] = account_overview(client)
            except Unauthorized:
                raise  # ConnectionErrorMiddleware: the reconnect page
            except (CtctError, OAuth2Error, requests.ConnectionError, requests.Timeout):
                # The home page stays a way in when the service cannot answer; the other pages say why.
                context["overview_problem"] = "The account's figures could not be read just now. Reload to try again."
    return render(request, "accounts/home.html", context)


# --- Lookups scoped to the signed-in user ---------------------------------------------------------


def _user(request: HttpRequest) -> User:
    """The signed-in user; every view using it is behind ``login_required``."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    return cast("User", request.user)


def _membership(request: HttpRequest, workspace_pk: int) -> Membership:
    """The user's membership of workspace ``workspace_pk``; 404 when they are not a member."""
    return get_object_or_404(
        Membership.objects.select_related("workspace"), workspace_id=workspace_pk, user=_user(request)
    )


def _manager(request: HttpRequest, workspace_pk: int) -> Membership:
    """As ``_membership``, and 403 unless the member is an owner or admin."""
    membership = _membership(request, workspace_pk)
    if not membership.can_manage:
        raise PermissionDenied("Only the workspace's owners and admins can do this.")
    return membership


def _connection(request: HttpRequest, pk: int) -> Connection:
    """A connection of one of the user's workspaces; 404 otherwise."""
    return get_object_or_404(Connection.objects.for_user(request.user).select_related("workspace"), pk=pk)


def _safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the form sent if it is a URL on this site, else ``default``."""
    candidate = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --- Workspaces ----------------------------------------------------------------------------------


@login_required
def workspace_list(request: HttpRequest) -> HttpResponse:
    """The user's workspaces with their role and connections."""
    memberships = (
        Membership.objects.filter(user=_user(request))
        .select_related("workspace")
        .prefetch_related("workspace__connections")
        .order_by("workspace__name", "workspace_id")
    )
    return render(
        request,
        "accounts/workspace_list.html",
        {"memberships": memberships, "active_connection": active_connection(request)},
    )


@login_required
def workspace_create(request: HttpRequest) -> HttpResponse:
    """A new workspace (e.g. an agency's) owned by the user."""
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = create_workspace(_user(request), form.cleaned_data["name"], form.cleaned_data["kind"])
        messages.success(request, f"{workspace.name} is ready. Connect a Constant Contact account to it.")
        return redirect("accounts:workspace-detail", workspace.pk)
    return render(request, "accounts/workspace_form.html", {"form": form}, status=400 if form.errors else 200)


@dataclass(frozen=True)
class MemberRow:
    """One line of the members table: what the viewing member may do to this member."""

    member: Membership
    role_form: MemberRoleForm | None
    removable: bool


def _workspace_page(
    request: HttpRequest, membership: Membership, add_form: MemberAddForm | None = None, status: int = 200
) -> HttpResponse:
    workspace = membership.workspace
    roster = list(workspace.memberships.select_related("user").order_by("user__username"))
    context = {
        "workspace": workspace,
        "membership": membership,
        "connections": workspace.connections.all(),
        "active_connection": active_connection(request),
        "members": [
            MemberRow(
                member=member,
                role_form=MemberRoleForm(actor=membership, initial={"role": member.role}, prefix=f"m{member.pk}")
                if membership.may_change(member)
                else None,
                removable=member.pk == membership.pk or membership.may_change(member),
            )
            for member in roster
        ],
        "invitations": [invitation for invitation in workspace.invitations.all() if invitation.is_open],
        "add_form": add_form or (MemberAddForm(actor=membership) if membership.can_manage else None),
    }
    return render(request, "accounts/workspace_detail.html", context, status=status)


@login_required
def workspace_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One workspace: its connections, members and open invitations."""
    return _workspace_page(request, _membership(request, pk))


# --- Members and invitations ---------------------------------------------------------------------

Result = TypeVar("Result")


def _attempt(request: HttpRequest, action: Callable[..., Result], *args: Any) -> Result | None:
    """Run a member action: a change the role forbids answers 403, any other refusal becomes a message.

    Returns the action's result, or None when it was refused.
    """
    try:
        return action(*args)
    except member_actions.MemberChangeForbidden as forbidden:
        raise PermissionDenied(str(forbidden)) from forbidden
    except member_actions.MemberChangeRefused as refused:
        messages.error(request, str(refused))
        return None


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a member by email, or invite them."""
    actor = _manager(request, pk)
    form = MemberAddForm(request.POST, actor=actor)
    if not form.is_valid():
        return _workspace_page(request, actor, add_form=form, status=400)
    added = _attempt(request, member_actions.add_member, actor, form.cleaned_data["email"], form.cleaned_data["role"])
    if isinstance(added, Invitation):
        messages.success(request, f"Invitation sent to {added.email}.")
    elif added is not None:
        messages.success(request, f"{added.user.get_username()} is now a member.")
    return redirect("accounts:workspace-detail", pk)


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Change a member's role."""
    actor = _manager(request, pk)
    member = get_object_or_404(Membership.objects.select_related("user"), pk=member_pk, workspace_id=pk)
    form = MemberRoleForm(request.POST, actor=actor, prefix=f"m{member.pk}")
    if not form.is_valid():
        messages.error(request, "Choose one of the roles offered.")
        return redirect("accounts:workspace-detail", pk)
    if _attempt(request, member_actions.change_role, actor, member, form.cleaned_data["role"]) is not None:
        messages.success(request, f"{member.user.get_username()} is now {member.get_role_display().lower()}.")
    return redirect("accounts:workspace-detail", pk)


@login_required
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Confirm, then remove a member (or leave the workspace when it is yourself)."""
    actor = _membership(request, pk)
    member = get_object_or_404(Membership.objects.select_related("user", "workspace"), pk=member_pk, workspace_id=pk)
    leaving = member.pk == actor.pk
    if not leaving and not actor.may_change(member):
        raise PermissionDenied("Only owners can remove an owner; admins can remove other members.")
    if request.method != "POST":
        return render(request, "accounts/member_confirm_delete.html", {"member": member, "leaving": leaving})
    if _attempt(request, member_actions.remove_member, actor, member) is None:
        return redirect("accounts:workspace-detail", pk)
    if leaving:
        messages.success(request, f"You left {member.workspace.name}.")
        return redirect("accounts:workspace-list")
    messages.success(request, f"{member.user.get_username()} was removed.")
    return redirect("accounts:workspace-detail", pk)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Withdraw an open invitation."""
    actor = _manager(request, pk)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, workspace_id=pk)
    member_actions.revoke_invitation(actor, invitation)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("accounts:workspace-detail", pk)


@login_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Look at an invitation and accept it (whoever holds the emailed link and signs in)."""
    invited = get_object_or_404(Invitation.objects.select_related("workspace", "invited_by"), token=token)
    if request.method == "POST":
        try:
            member_actions.accept_invitation(invited, _user(request))
        except member_actions.MemberChangeRefused as refused:
            messages.error(request, str(refused))
            return redirect("accounts:invitation", token)
        messages.success(request, f"You joined {invited.workspace.name}.")
        return redirect("accounts:workspace-detail", invited.workspace_id)
    return render(request, "accounts/invitation.html", {"invitation": invited})


# --- Connections ----------------------------------------------------------------------------------


@login_required
@require_POST
def connection_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the OAuth flow that connects another Constant Contact account to this workspace."""
    return start_connect(request, _manager(request, pk).workspace)


@login_required
def connection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One connection, with the account's summary read live through the client."""
    connection = _connection(request, pk)
    summary, problem = None, ""
    try:
        with client_for(request, connection) as client:
            summary = client.account_services.get_account_by_id(extra_fields=["physical_address"])
    except Unauthorized:
        raise  # ConnectionErrorMiddleware: the reconnect page
    except CtctError as exc:
        problem = exc.error_message
    membership = _membership(request, connection.workspace_id)
    context = {"connection": connection, "summary": summary, "problem": problem, "membership": membership}
    return render(request, "accounts/connection_detail.html", context)


@login_required
@require_POST
def connection_switch(request: HttpRequest, pk: int) -> HttpResponse:
    """Make this connection the active one (the header's switcher posts here)."""
    connection = _connection(request, pk)
    switch_connection(request, connection)
    messages.success(request, f"Now working in {connection.display_name}.")
    return redirect(_safe_next(request, reverse("home")))


@login_required
def connection_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then remove a connection from its workspace (owners and admins)."""
    connection = _connection(request, pk)
    _manager(request, connection.workspace_id)
    if request.method != "POST":
        return render(request, "accounts/connection_confirm_delete.html", {"connection": connection})
    connection.delete()
    messages.success(request, f"{connection.display_name} was disconnected from {connection.workspace.name}.")
    return redirect("accounts:workspace-detail", connection.workspace_id)


@login_required
def reconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Explain that the account's authorization ended, and offer to sign in again to restore it."""
    connection = _connection(request, pk)
    membership = _membership(request, connection.workspace_id)
    if request.method == "POST":
        if not membership.can_manage:
            raise PermissionDenied("Ask an owner or admin of the workspace to reconnect this account.")
        return start_connect(request, connection.workspace, connection)
    return render(request, "accounts/reconnect.html", {"connection": connection, "membership": membership})
