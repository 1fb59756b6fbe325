"""``{% account_menu %}``: the header's connection switcher, who is signed in, and sign-out; ``{% person %}``."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django import template

from ..identity import display_name, signed_in_as
from ..services import active_connection, usable_connections

register = template.Library()


@register.inclusion_tag("accounts/_account_menu.html", takes_context=True)
def account_menu(context: template.Context) -> dict[str, Any]:
    """The signed-in user's connections grouped by workspace, the active one marked."""
    request = context["request"]
    # The list the active connection was picked from: already in workspace order, no query of its own.
    connections = usable_connections(request)
    groups = [(workspace, list(items)) for workspace, items in groupby(connections, key=lambda c: c.workspace)]
    return {
        "request": request,
        "user": request.user,
        "signed_in_as": signed_in_as(request),
        "groups": groups,
        "active": active_connection(request),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def person(user: Any) -> str:
    """The user as the sign-in's flash names them: their name or login, never the generated username."""
    return display_name(user)
