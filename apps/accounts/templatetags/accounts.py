"""``{% account_menu %}``: the header's connection switcher, workspaces link and sign-out."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django import template

from ..models import Connection
from ..services import active_connection

register = template.Library()


@register.inclusion_tag("accounts/_account_menu.html", takes_context=True)
def account_menu(context: template.Context) -> dict[str, Any]:
    """The signed-in user's connections grouped by workspace, the active one marked."""
    request = context["request"]
    connections = (
        Connection.objects.for_user(request.user)
        .select_related("workspace")
        .order_by("workspace__name", "workspace_id", "organization_name", "id")
    )
    groups = [(workspace, list(items)) for workspace, items in groupby(connections, key=lambda c: c.workspace)]
    return {
        "request": request,
        "user": request.user,
        "groups": groups,
        "active": active_connection(request),
        "csrf_token": context.get("csrf_token"),
    }
