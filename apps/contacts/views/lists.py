"""Contact list pages: the table of lists, one list, create, edit, delete, and the favorite toggle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.services import can_write, client_for, require_writer
from ctctdash.htmx import wants_fragment
from ctctdash.pages import (
    activity_message,
    delete_after_confirming,
    found_or_404,
    listing_page,
    page_path,
    safe_next,
    save_or_show,
)

from .. import management_services as actions
from ..forms.lists import ContactListForm

TEMPLATE_FORM = "contacts/list_form.html"


def _saved(verb: str) -> Callable[[dict[str, Any]], tuple[str, str]]:
    """The flash message and next page once a list was ``verb`` (created, saved): the list's page."""

    def done(saved: dict[str, Any]) -> tuple[str, str]:
        return f"The list {saved['name']} was {verb}.", reverse("contacts:list_detail", args=[saved["list_id"]])

    return done


@login_required
def list_list(request: HttpRequest) -> HttpResponse:
    """The account's lists, a page at a time."""
    with client_for(request) as client:
        page = listing_page(request, lambda cursor: actions.list_page(client, cursor))
    context = {"page": page, "can_write": can_write(request), "next_url": page_path(request)}
    return render(request, "contacts/list_list.html", context)


@login_required
def list_detail(request: HttpRequest, list_id: UUID) -> HttpResponse:
    """One list: its facts and first members."""
    with client_for(request) as client, found_or_404():
        contact_list = actions.get_list(client, str(list_id))
        members = actions.list_members(client, str(list_id))
    context = {"list": contact_list, "members": members, "can_write": can_write(request)}
    return render(request, "contacts/list_detail.html", context)


@login_required
def list_create(request: HttpRequest) -> HttpResponse:
    """A new list."""
    require_writer(request)
    form = ContactListForm(request.POST or None)
    with client_for(request) as client:
        return save_or_show(
            request, form, lambda data: actions.create_list(client, **data), _saved("created"), TEMPLATE_FORM
        )


@login_required
def list_edit(request: HttpRequest, list_id: UUID) -> HttpResponse:
    """Rename a list, or change its description or favorite flag."""
    require_writer(request)
    with client_for(request) as client:
        with found_or_404():
            contact_list = actions.get_list(client, str(list_id))
        form = ContactListForm(request.POST or None, initial=contact_list)
        return save_or_show(
            request,
            form,
            lambda data: actions.update_list(client, str(list_id), **data),
            _saved("saved"),
            TEMPLATE_FORM,
            {"list": contact_list},
        )


@login_required
def list_delete(request: HttpRequest, list_id: UUID) -> HttpResponse:
    """Confirm, then delete a list (its contacts stay in the account)."""
    require_writer(request)
    with client_for(request) as client, found_or_404():
        contact_list = actions.get_list(client, str(list_id))
        return delete_after_confirming(
            request,
            contact_list,
            lambda: activity_message(f"The list {contact_list['name']}", actions.delete_list(client, str(list_id))),
            "contacts/list_confirm_delete.html",
            "list",
            "contacts:lists",
        )


@login_required
@require_POST
def list_favorite(request: HttpRequest, list_id: UUID) -> HttpResponse:
    """Mark or unmark a list as a favorite; htmx swaps the row, a plain form returns to the page it came from.

    The form posts the state it wants (``favorite=true|false``) rather than "toggle", so a double
    submission cannot flip it back.
    """
    require_writer(request)
    favorite = request.POST.get("favorite") == "true"
    with client_for(request) as client, found_or_404():
        contact_list = actions.set_list_favorite(client, str(list_id), favorite)
    if wants_fragment(request):
        context = {"list": contact_list, "can_write": True, "next_url": page_path(request)}
        return render(request, "contacts/list_list.html#row", context)
    state = "is now a favorite" if favorite else "is no longer a favorite"
    messages.success(request, f"The list {contact_list['name']} {state}.")
    return redirect(safe_next(request, reverse("contacts:lists")))
