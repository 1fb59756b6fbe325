"""Connections: the client for the active one, tokens kept encrypted and refreshed safely, sign-in.

Every dashboard page reaches Constant Contact data the same way::

    from apps.accounts.services import client_for

    client = client_for(request)          # the active connection's V3 client
    summary = client.account_services.get_account_by_id()

A token the service has revoked surfaces as ``apps.ctct.Unauthorized`` once the client's refresh
fails; views let it propagate and ``ConnectionErrorMiddleware`` sends the user to the reconnect page.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from apps.ctct import Client

from .clients import make_client
from .models import Connection, Membership, Role, Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .providers.constantcontact.signin import SignIn

__all__ = [
    "NoActiveConnection",
    "active_connection",
    "can_write",
    "client_for",
    "client_for_connection",
    "complete_sign_in",
    "create_workspace",
    "load_token",
    "mark_needs_reconnect",
    "require_writer",
    "save_refreshed_token",
    "store_connection",
    "switch_connection",
    "usable_connections",
]

ACTIVE_CONNECTION_KEY = "accounts.active_connection"
# Set on the request by client_for, so the middleware knows which connection a 401 belongs to.
REQUEST_CONNECTION_ATTR = "ctct_connection"


class NoActiveConnection(Exception):
    """The user has no connection to use yet (they must connect a Constant Contact account)."""


# --- The active connection ---------------------------------------------------------------------


def usable_connections(request: HttpRequest) -> list[Connection]:
    """The connections the user may use, with their workspaces, in the header's order; read once a request.

    The active connection is picked from these and the header's switcher lists them, so one query
    serves both (each query was about a millisecond of the contacts page's own time; docs/decisions.md).
    """
    cached: list[Connection] | None = getattr(request, "_accounts_usable_connections", None)
    if cached is None:
        cached = list(
            Connection.objects.for_user(request.user)
            .select_related("workspace")
            .order_by("workspace__name", "workspace_id", "organization_name", "id")
        )
        request._accounts_usable_connections = cached  # type: ignore[attr-defined]
    return cached


def active_connection(request: HttpRequest) -> Connection | None:
    """The connection chosen in the header, re-checked against the user's workspaces on every request.

    A stored choice the user may no longer use (removed from the workspace, connection deleted)
    falls back to their first connection, and the session is corrected.
    """
    cached: Connection | None = getattr(request, "_accounts_active_connection", None)
    if cached is not None:
        return cached
    usable = usable_connections(request)
    stored = request.session.get(ACTIVE_CONNECTION_KEY)
    chosen = next((c for c in usable if c.pk == stored), None) if isinstance(stored, int) else None
    if chosen is None:
        chosen = usable[0] if usable else None
        if chosen is not None:
            request.session[ACTIVE_CONNECTION_KEY] = chosen.pk
        else:
            request.session.pop(ACTIVE_CONNECTION_KEY, None)
    request._accounts_active_connection = chosen  # type: ignore[attr-defined]
    return chosen


def switch_connection(request: HttpRequest, connection: Connection) -> None:
    """Make ``connection`` (already checked to be the user's) the active one for this session."""
    request.session[ACTIVE_CONNECTION_KEY] = connection.pk
    request._accounts_active_connection = connection  # type: ignore[attr-defined]
    # A connection made in this request (a sign-in) is not among those already read.
    vars(request).pop("_accounts_usable_connections", None)


# --- Who may change an account's data ----------------------------------------------------------


def can_write(request: HttpRequest, connection: Connection | None = None) -> bool:
    """Whether the user may change ``connection``'s account (default: the active one): marketers and above."""
    connection = connection or active_connection(request)
    if connection is None:
        return False
    membership = Membership.objects.filter(workspace_id=connection.workspace_id, user=request.user.pk or 0).first()
    return membership is not None and membership.can_write


def require_writer(request: HttpRequest, connection: Connection | None = None) -> Connection:
    """``connection`` (default: the active one) if the user may change its account; 403 for a viewer.

    No connection at all raises ``NoActiveConnection``, which the middleware answers with the connect page.
    """
    connection = connection or active_connection(request)
    if connection is None:
        raise NoActiveConnection
    if not can_write(request, connection):
        raise PermissionDenied("Viewers can look but not change anything. Ask a workspace owner for more.")
    return connection


# --- Clients -----------------------------------------------------------------------------------


def client_for(request: HttpRequest, connection: Connection | None = None) -> Client:
    """The V3 client for ``connection`` (default: the active one); raises NoActiveConnection.

    ``connection`` must already be one the user may use (from ``Connection.objects.for_user``).
    """
    connection = connection or active_connection(request)
    if connection is None:
        raise NoActiveConnection
    setattr(request, REQUEST_CONNECTION_ATTR, connection)
    return client_for_connection(connection)


def client_for_connection(connection: Connection) -> Client:
    """The V3 client for one connection, outside a request too (background jobs take the id).

    Refreshed tokens go back to the row through ``save_refreshed_token``; a client that waited
    for another process's refresh reads the row again through ``load_token``.
    """
    return make_client(
        base_url=connection.api_base_url,
        token_url=connection.token_url,
        token=connection.token,
        token_updater=partial(save_refreshed_token, connection.pk),
        token_loader=partial(load_token, connection.pk),
        connection_key=f"accounts.connection:{connection.pk}",
    )


def _expires_at(token: dict[str, Any]) -> float:
    try:
        return float(token.get("expires_at") or 0)
    except (TypeError, ValueError):
        return 0.0


def save_refreshed_token(connection_pk: int, token: dict[str, Any]) -> None:
    """Store a token the client refreshed, under a row lock, never replacing a newer one.

    The client already refreshes one at a time per connection; the lock orders this write against
    a concurrent sign-in or reconnect storing its own token, and the expiry comparison keeps a
    late writer holding an older token from overwriting the newer one.
    """
    with transaction.atomic():
        connection = Connection.objects.select_for_update().filter(pk=connection_pk).first()
        if connection is None:
            return  # removed meanwhile: nothing to keep the token for
        arriving, stored = _expires_at(token), _expires_at(connection.token)
        if arriving and stored and arriving < stored:
            return
        connection.token = token
        connection.status = Connection.Status.ACTIVE
        connection.save(update_fields=["token_ciphertext", "token_updated_at", "status"])


def load_token(connection_pk: int) -> dict[str, Any] | None:
    """The connection's stored token, read afresh (None if the connection is gone)."""
    connection = Connection.objects.filter(pk=connection_pk).first()
    return connection.token if connection else None


def mark_needs_reconnect(connection: Connection) -> None:
    """Record that the token was refused and could not be renewed."""
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.RECONNECT)
    connection.status = Connection.Status.RECONNECT


# --- Workspaces and connections ------------------------------------------------------------------


@transaction.atomic
def create_workspace(user: User, name: str, kind: str = Workspace.Kind.BUSINESS) -> Workspace:
    """A new workspace with ``user`` as its owner."""
    workspace = Workspace.objects.create(name=name, kind=kind)
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    return workspace


def home_workspace(user: User) -> Workspace | None:
    """The user's own workspace: the first one they own (made at their first sign-in)."""
    return (
        Workspace.objects.filter(memberships__user=user, memberships__role=Role.OWNER)
        .order_by("created_at", "id")
        .first()
    )


def store_connection(workspace: Workspace, sign_in: SignIn, user: User | None) -> Connection:
    """Create or update ``workspace``'s connection to the signed-in account with the new token.

    One token lives in exactly one row: refresh tokens rotate, and two rows holding the same one
    would have the second refresh rejected as a reuse (and the grant revoked).
    """
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update()
            .filter(
                workspace=workspace, encoded_account_id=sign_in.account_id, api_base_url=sign_in.endpoints.api_base_url
            )
            .first()
        )
        if connection is None:
            connection = Connection(
                workspace=workspace,
                encoded_account_id=sign_in.account_id,
                api_base_url=sign_in.endpoints.api_base_url,
                created_by=user,
            )
        connection.token_url = sign_in.endpoints.token_url
        connection.organization_name = sign_in.organization_name[:200]
        connection.authorized_as = sign_in.identity.subject[:254]
        connection.status = Connection.Status.ACTIVE
        connection.token = sign_in.token
        connection.save()
    return connection


def complete_sign_in(request: HttpRequest, user: User, sign_in: SignIn) -> Connection:
    """After a dashboard sign-in: the user's own workspace (made on the first), its connection, active.

    The signed-in account is connected to the user's own workspace; connections in other
    workspaces are added or reconnected from those workspaces' pages.
    """
    workspace = home_workspace(user)
    if workspace is None:
        name = sign_in.organization_name or f"{user.get_username()}'s workspace"
        workspace = create_workspace(user, name[:200])
    connection = store_connection(workspace, sign_in, user)
    switch_connection(request, connection)
    return connection
