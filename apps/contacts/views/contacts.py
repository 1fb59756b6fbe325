"""Contact pages: the list (filters, search, cursor paging), one contact, create, edit, delete, resubscribe.

Every view reaches the data through the V3 client of the user's active connection, which
``apps.accounts`` only ever picks from the workspaces the user belongs to; the token scopes each
call to that connection's account, so an id from another account answers 404. Changes need a
role that may write (marketer and up). Each page works without JavaScript; with htmx, the list's
filters and paging swap only the results.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.services import can_write, client_for, require_writer
from apps.contacts import choices, services, services_notes
from apps.contacts.forms.contact_edit import ContactForm
from apps.contacts.forms.contacts import ContactFilterForm, ResubscribeForm
from apps.contacts.forms.notes import NoteForm
from apps.ctct import BadRequest, Client, Conflict, Forbidden, NotFound
from ctctdash.htmx import wants_fragment
from ctctdash.pages import Position, add_api_errors, found_or_404, page_links, query, render_form

__all__ = [
    "contact_create",
    "contact_delete",
    "contact_detail",
    "contact_edit",
    "contact_list",
    "contact_resubscribe",
    "note_add",
    "note_delete",
]

View = TypeVar("View", bound=Callable[..., HttpResponse])


def _page(*methods: str) -> Callable[[View], View]:
    """A signed-in page answering ``methods`` (and HEAD), with the API's 404 and 403 as its own.

    A contact the API does not find, another account's id included, is the page's 404.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                with found_or_404():
                    return view(request, *args, **kwargs)
            except Forbidden as exc:
                raise PermissionDenied(exc.error_message) from None

        return cast(View, login_required(require_http_methods([*methods, "HEAD"])(wrapped)))

    return decorate


# --- The list ----------------------------------------------------------------------------------

_ANY_ID = uuid.UUID(int=0)
_PAGING_PARAMETERS = {"cursor", "back", "page"}


def _table_rows(rows: list[services.ContactRow]) -> list[dict[str, Any]]:
    """Each row's cells ready to print: link, permission words, update date.

    Worked out here once rather than per cell in the template: with fifty rows, ``{% url %}``,
    the date filters and attribute lookups were most of the page's own time (see the bench).
    """
    detail_url = reverse("contacts:detail", args=[_ANY_ID])
    zone = timezone.get_current_timezone()  # once: localtime() looks it up again for every row
    cells = []
    for row in rows:
        updated = row.updated_at.astimezone(zone) if row.updated_at else None
        cells.append(
            {
                **vars(row),
                "url": detail_url.replace(str(_ANY_ID), row.contact_id),
                # Text, not the int: the template prints an int through number formatting, three times slower.
                "lists": None if row.lists is None else str(row.lists),
                "permission_label": row.permission_label,
                "updated_iso": updated.isoformat() if updated else "",
                "updated_text": f"{updated:%b} {updated.day}, {updated.year}" if updated else "",
            }
        )
    return cells


def _bulk_work(request: HttpRequest, client: Client, filters: services.ContactFilters) -> HttpResponse | dict[str, Any]:
    """The table's bulk form: start the activities and open the first's progress, or a delete to confirm."""
    require_writer(request)
    back = request.get_full_path()
    action = request.POST.get("action", "")
    target_field = {"add_list": "list_id", "remove_list": "list_id", "tag": "tag_id", "untag": "tag_id"}.get(action)
    work = services.BulkWork(
        action=action,
        target_id=request.POST.get(target_field, "") if target_field else "",
        contact_ids=tuple(request.POST.getlist("contact_ids")),
        all_matching=request.POST.get("all_matching") == "1",
        filters=filters,
    )
    if action not in services.BULK_ACTIONS:
        problem = "Choose what to do with the selected contacts."
    elif not (work.contact_ids or work.all_matching):
        problem = "Select some contacts first."
    elif target_field and not work.target_id:
        problem = f"Choose the {target_field.removesuffix('_id')} to use."
    elif action == "delete" and request.POST.get("confirmed") != "1":
        return {"action": action, "contact_ids": work.contact_ids, "all_matching": work.all_matching}
    else:
        try:
            started = services.start_bulk_work(client, work)
        except (BadRequest, NotFound) as exc:
            started, problem = [], exc.error_message
        else:
            problem = "" if started else "No contacts match these filters: there was nothing to do."
        if started:
            more = f" (in {len(started)} activities of up to 500 contacts)" if len(started) > 1 else ""
            messages.success(request, f"{services.BULK_ACTIONS[action]}: started{more}.")
            return redirect("jobs:activity", started[0])
    messages.error(request, problem)
    return redirect(back)


@_page("GET", "POST")
def contact_list(request: HttpRequest) -> HttpResponse:
    """Contacts, searched and filtered, a page at a time by the API's cursor; htmx gets only the rows.

    A POST is the table's bulk form (the page's query string still names the filters).
    """
    with client_for(request) as client:
        form = ContactFilterForm(
            request.GET if any(k in request.GET for k in ContactFilterForm.base_fields) else None,
            lists=choices.list_choices(client),
            tags=choices.tag_choices(client),
            segments=choices.segment_choices(client),
            any_part=services.searches_any_part(client),
        )
        filters = form.filters()
        bulk_targets = {"bulk_lists": choices.list_choices(client), "bulk_tags": choices.tag_choices(client)}
        confirm: dict[str, Any] | None = None
        if request.method == "POST":
            outcome = _bulk_work(request, client, filters)
            if isinstance(outcome, HttpResponse):
                return outcome
            confirm = outcome
        position = Position.of(request)
        problem = ""
        # A parameter the page does not read (a mistyped or stale link) would otherwise list everyone.
        unknown = sorted(set(request.GET) - set(ContactFilterForm.base_fields) - _PAGING_PARAMETERS)
        try:
            if unknown:
                names = ", ".join(unknown)
                page, problem = (
                    services.ContactPage([], None, None),
                    f"No contacts are listed: this page has no filter called {names}.",
                )
            else:
                page = services.list_contacts(client, filters, position.cursor or None)
        except (BadRequest, NotFound) as exc:
            if position.cursor and isinstance(exc, BadRequest):
                # A cursor the API no longer accepts (or one edited by hand): start again from the top.
                messages.warning(request, "That page link is no longer valid; here is the first page.")
                return redirect(reverse("contacts:list") + query(form.active_filters()))
            # A filter the API refused (a segment deleted meanwhile, an email it cannot search for).
            page, problem = services.ContactPage([], None, None), exc.error_message
    first_row, last_row = position.rows(len(page.rows))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": _table_rows(page.rows),
        "page_number": position.number,
        "first_row": first_row,
        "last_row": last_row,
        "links": page_links(request.path, position, page.next_cursor, form.active_filters()),
        "problem": problem,
        "confirm_delete": confirm,
        "bulk_actions": services.BULK_ACTIONS,
        **bulk_targets,
        "may_write": can_write(request),
    }
    template = "contacts/contact_list.html#rows" if wants_fragment(request) else "contacts/contact_list.html"
    response = render(request, template, context)
    # The same URL answers a fragment or a page depending on the header: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- One contact -------------------------------------------------------------------------------------


@_page("GET")
def contact_detail(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    """Everything about one contact, and its notes to add to or delete from."""
    with client_for(request) as client:
        context = _detail_context(request, client, contact_id, NoteForm())
    return render(request, "contacts/contact_detail.html", context)


def _detail_context(request: HttpRequest, client: Client, contact_id: uuid.UUID, note_form: NoteForm) -> dict[str, Any]:
    detail = services.contact_detail(client, str(contact_id))
    resubscribe = ResubscribeForm(
        lists=choices.list_choices(client), initial={"list_ids": [c.id for c in detail.lists]}
    )
    # The page opens on the contact: only a note with errors takes the focus.
    for form in (resubscribe, note_form):
        if not form.errors:
            for form_field in form.fields.values():
                form_field.widget.attrs.pop("autofocus", None)
    return {
        "detail": detail,
        "contact": detail.contact,
        "resubscribe": resubscribe,
        "note_form": note_form,
        "notes_full": len(detail.notes) >= services_notes.MAX_NOTES,
        "can_write": can_write(request),
    }


def _form_kwargs(client: Client) -> dict[str, Any]:
    return {
        "lists": choices.list_choices(client),
        "tags": choices.tag_choices(client),
        "custom_fields": choices.custom_fields(client),
    }


def _contact_form(request: HttpRequest, contact_id: uuid.UUID | None) -> HttpResponse:
    """Create (no id) or edit a contact; the API's validation messages appear at the fields they name.

    An edit starts from every current value, because saving (a PUT) replaces the contact.
    """
    require_writer(request)
    with client_for(request) as client:
        current = services.get_contact(client, str(contact_id)) if contact_id else None
        form = ContactForm(_posted(request), current=current, **_form_kwargs(client))
        if request.method == "POST" and form.is_valid():
            body, fields = form.api_body("update_source" if current else "create_source")
            try:
                if current is None:
                    saved = services.create_contact(client, body)
                else:
                    saved = services.update_contact(client, str(contact_id), body)
            except (BadRequest, Conflict) as exc:
                # A create's conflict is the duplicate email, whether or not its message says so.
                add_api_errors(form, exc, fields, conflict_field=None if current else "email")
            else:
                messages.success(request, f"{_label(saved)} was {'saved' if current else 'added'}.")
                return redirect("contacts:detail", saved["contact_id"])
    return render_form(request, "contacts/contact_form.html", {"form": form, "contact": current})


@_page("GET", "POST")
def contact_create(request: HttpRequest) -> HttpResponse:
    """A new contact."""
    return _contact_form(request, None)


@_page("GET", "POST")
def contact_edit(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    """Change a contact."""
    return _contact_form(request, contact_id)


@_page("GET", "POST")
def contact_delete(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    """Ask "Delete <email>?"; deleting happens only on the POST."""
    require_writer(request)
    with client_for(request) as client:
        contact = services.get_contact(client, str(contact_id))
        if request.method == "POST":
            services.delete_contact(client, str(contact_id))
            messages.success(request, f"{_label(contact)} was deleted.")
            return redirect("contacts:list")
    return render(request, "contacts/contact_confirm_delete.html", {"contact": contact, "label": _label(contact)})


@_page("GET", "POST")
def contact_resubscribe(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    """Ask an unsubscribed contact to confirm they want email again, onto the lists chosen."""
    require_writer(request)
    with client_for(request) as client:
        contact = services.get_contact(client, str(contact_id))
        initial = {"list_ids": [str(i) for i in contact.get("list_memberships") or []]}
        form = ResubscribeForm(_posted(request), lists=choices.list_choices(client), initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.resubscribe_contact(client, str(contact_id), form.cleaned_data["list_ids"])
            except Conflict as exc:
                # Not unsubscribed (any more), or deleted: nothing to ask, and the page says why.
                messages.error(request, exc.error_message)
                return redirect("contacts:detail", contact_id)
            except BadRequest as exc:
                add_api_errors(form, exc, {"list_ids": "list_ids"})
            else:
                messages.success(
                    request, f"Resubscribe requested for {_label(contact)}: they receive email again once they confirm."
                )
                return redirect("contacts:detail", contact_id)
    return render_form(
        request, "contacts/contact_resubscribe.html", {"contact": contact, "form": form, "label": _label(contact)}
    )


# --- Notes ----------------------------------------------------------------------------------------------


@_page("POST")
def note_add(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    """Add a note; htmx gets the notes section back (200 even with errors: htmx swaps no 4xx)."""
    require_writer(request)
    form = NoteForm(request.POST)
    with client_for(request) as client:
        contact = services.get_contact(client, str(contact_id))
        if contact.get("deleted_at"):
            # A PUT would revive the contact: restoring is the edit page's business, not a note's.
            messages.error(request, "Restore the contact before adding notes.")
            url = reverse("contacts:detail", args=[contact_id])
            return HttpResponseClientRedirect(url) if wants_fragment(request) else redirect(url)
        added = False
        if form.is_valid():
            try:
                services_notes.add_note(client, contact, form.cleaned_data["content"])
            except BadRequest as exc:
                add_api_errors(form, exc, services_notes.NOTE_PATHS)
            else:
                added = True
        if added and not wants_fragment(request):
            messages.success(request, "The note was added.")
            return redirect(reverse("contacts:detail", args=[contact_id]) + "#notes")
        context = _detail_context(request, client, contact_id, NoteForm() if added else form)
    if wants_fragment(request):
        context["note_added"] = added
        return render(request, "contacts/contact_detail.html#notes", context)
    return render(request, "contacts/contact_detail.html", context, status=400)


@_page("GET", "POST")
def note_delete(request: HttpRequest, contact_id: uuid.UUID, note_id: uuid.UUID) -> HttpResponse:
    """Ask "Delete this note?"; deleting happens only on the POST."""
    require_writer(request)
    with client_for(request) as client:
        contact = services.get_contact(client, str(contact_id))
        note = services_notes.find_note(contact, str(note_id))
        if note is None or contact.get("deleted_at"):
            raise Http404("No such note on this contact.")
        if request.method == "POST":
            services_notes.delete_note(client, contact, str(note_id))
            messages.success(request, "The note was deleted.")
            return redirect(reverse("contacts:detail", args=[contact_id]) + "#notes")
    context = {"contact": contact, "label": _label(contact), "note": services.note_of(note)}
    return render(request, "contacts/contact_note_confirm_delete.html", context)


def _posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to, even when empty (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _label(contact: dict[str, Any]) -> str:
    """How messages name a contact: the email address, else the name, else "The contact"."""
    email = (contact.get("email_address") or {}).get("address")
    name = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p)
    return email or name or "The contact"
