"""Contact tag pages: the table of tags, one tag, create, rename and delete."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apps.accounts.services import can_write, client_for, require_writer
from ctctdash.pages import activity_message, delete_after_confirming, found_or_404, listing_page, save_or_show

from .. import management_services as actions
from ..forms.tags import ContactTagForm

TEMPLATE_FORM = "contacts/tag_form.html"


@login_required
def tag_list(request: HttpRequest) -> HttpResponse:
    """The account's tags with how many contacts carry each, a page at a time."""
    with client_for(request) as client:
        page = listing_page(request, lambda cursor: actions.tag_page(client, cursor))
    return render(request, "contacts/tag_list.html", {"page": page, "can_write": can_write(request)})


@login_required
def tag_detail(request: HttpRequest, tag_id: UUID) -> HttpResponse:
    """One tag."""
    with client_for(request) as client, found_or_404():
        tag = actions.get_tag(client, str(tag_id))
    return render(request, "contacts/tag_detail.html", {"tag": tag, "can_write": can_write(request)})


@login_required
def tag_create(request: HttpRequest) -> HttpResponse:
    """A new tag."""
    require_writer(request)
    form = ContactTagForm(request.POST or None)
    with client_for(request) as client:
        return save_or_show(
            request,
            form,
            lambda data: actions.create_tag(client, **data),
            lambda tag: (f"The tag {tag['name']} was created.", reverse("contacts:tag_detail", args=[tag["tag_id"]])),
            TEMPLATE_FORM,
        )


@login_required
def tag_edit(request: HttpRequest, tag_id: UUID) -> HttpResponse:
    """Rename a tag."""
    require_writer(request)
    with client_for(request) as client:
        with found_or_404():
            tag = actions.get_tag(client, str(tag_id))
        return save_or_show(
            request,
            ContactTagForm(request.POST or None, initial=tag),
            lambda data: actions.rename_tag(client, str(tag_id), **data),
            lambda renamed: (
                f"The tag is now called {renamed['name']}.",
                reverse("contacts:tag_detail", args=[tag_id]),
            ),
            TEMPLATE_FORM,
            {"tag": tag},
        )


@login_required
def tag_delete(request: HttpRequest, tag_id: UUID) -> HttpResponse:
    """Confirm, then delete a tag (it comes off every contact; the contacts stay)."""
    require_writer(request)
    with client_for(request) as client, found_or_404():
        tag = actions.get_tag(client, str(tag_id))
        return delete_after_confirming(
            request,
            tag,
            lambda: activity_message(f"The tag {tag['name']}", actions.delete_tag(client, str(tag_id))),
            "contacts/tag_confirm_delete.html",
            "tag",
            "contacts:tags",
        )
