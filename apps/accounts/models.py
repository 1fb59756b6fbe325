"""Workspaces, their members and roles, invitations, and Constant Contact connections."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import crypto

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

INVITATION_LIFETIME = timedelta(days=14)


class Role(models.TextChoices):
    """What a member may do in a workspace; each role can do everything the ones below it can."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MARKETER = "marketer", "Marketer"
    VIEWER = "viewer", "Viewer"


# Highest first; permissions below compare positions in this list.
ROLE_ORDER = [Role.OWNER, Role.ADMIN, Role.MARKETER, Role.VIEWER]


def role_at_least(role: str, floor: str) -> bool:
    """Whether ``role`` ranks at or above ``floor``."""
    return ROLE_ORDER.index(Role(role)) <= ROLE_ORDER.index(Role(floor))


class WorkspaceQuerySet(models.QuerySet["Workspace"]):
    """Workspaces, narrowed to what one user may see."""

    def for_user(self, user: User | AnonymousUser) -> WorkspaceQuerySet:
        """The workspaces ``user`` is a member of (none for an anonymous user)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Workspace(models.Model):
    """A business or an agency: the unit that owns connections and has members."""

    class Kind(models.TextChoices):
        BUSINESS = "business", "Business"
        AGENCY = "agency", "Agency"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.BUSINESS)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in a workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="accounts_membership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.workspace}"

    @property
    def can_manage(self) -> bool:
        """Owners and admins add and remove members and connections."""
        return role_at_least(self.role, Role.ADMIN)

    @property
    def can_write(self) -> bool:
        """Marketers and above change Constant Contact data; viewers only read it."""
        return role_at_least(self.role, Role.MARKETER)

    def assignable_roles(self) -> list[Role]:
        """The roles this member may give others: owners give any, admins any but owner."""
        if self.role == Role.OWNER:
            return list(ROLE_ORDER)
        if self.role == Role.ADMIN:
            return [Role.ADMIN, Role.MARKETER, Role.VIEWER]
        return []

    def may_change(self, other: Membership) -> bool:
        """Whether this member may change ``other``'s role or remove them (admins leave owners alone)."""
        if not self.can_manage:
            return False
        return self.role == Role.OWNER or other.role != Role.OWNER


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An emailed invitation to join a workspace; whoever opens its link and signs in may accept it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace}"

    @property
    def expires_at(self) -> Any:
        """When the link stops working."""
        return self.created_at + INVITATION_LIFETIME

    @property
    def is_open(self) -> bool:
        """Not yet accepted and not expired."""
        return self.accepted_at is None and timezone.now() < self.expires_at


class ConnectionQuerySet(models.QuerySet["Connection"]):
    """Connections, narrowed to what one user may use."""

    def for_user(self, user: User | AnonymousUser) -> ConnectionQuerySet:
        """Connections of the workspaces ``user`` is a member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(workspace__memberships__user=user)


class Connection(models.Model):
    """A workspace's access to one Constant Contact account (real or built-in) through an OAuth token.

    The token dict (access token, refresh token, expiry) is stored encrypted in ``token_ciphertext``
    and read and written through ``token``; the plaintext never reaches the database.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Connected"
        RECONNECT = "reconnect", "Needs reconnecting"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connections")
    encoded_account_id = models.CharField(max_length=64)
    api_base_url = models.CharField(max_length=300)
    # Where this token is refreshed: the server that issued it, even if settings later point elsewhere.
    token_url = models.CharField(max_length=300)
    organization_name = models.CharField(max_length=200, blank=True)
    # The Constant Contact login that authorized the token (the JWT's ``sub``), shown to members.
    authorized_as = models.CharField(max_length=254, blank=True)
    token_ciphertext = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    token_updated_at = models.DateTimeField(default=timezone.now)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["organization_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "encoded_account_id", "api_base_url"], name="accounts_connection_unique_account"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The account's organization name, or its id when it has none."""
        return self.organization_name or self.encoded_account_id

    @property
    def token(self) -> dict[str, Any]:
        """The decrypted token dict, as requests-oauthlib keeps it."""
        value: dict[str, Any] = crypto.decrypt_json(self.token_ciphertext)
        return value

    @token.setter
    def token(self, value: dict[str, Any]) -> None:
        self.token_ciphertext = crypto.encrypt_json(value)
        self.token_updated_at = timezone.now()

    @property
    def needs_reconnect(self) -> bool:
        """The token was refused and could not be renewed: someone must sign in again."""
        return self.status == self.Status.RECONNECT
