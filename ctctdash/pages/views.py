"""What the dashboard's pages share: create, edit and delete pages over the API, its 404, and messages.

Every page reaches the account through ``client_for(request)``, the active connection's client, so
an id from another workspace's account is simply not found by the API and answers 404 here.
Who may change anything is ``apps.accounts.services.can_write`` / ``require_writer``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from apps.ctct import NotFound

from .forms import API_FORM_ERRORS, add_api_errors

__all__ = [
    "activity_message",
    "delete_after_confirming",
    "found_or_404",
    "page_path",
    "render_form",
    "safe_next",
    "save_or_show",
    "submit",
]

Result = TypeVar("Result")


def page_path(request: HttpRequest) -> str:
    """The path of the page the browser shows: for htmx, the page the fragment lands in, not the request."""
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.current_url_abs_path:
        return str(htmx.current_url_abs_path)
    return request.get_full_path()


@contextmanager
def found_or_404() -> Iterator[None]:
    """The API's 404 (unknown id, or another account's) as this page's 404."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.error_message) from exc


def submit(form: forms.Form, action: Callable[[dict[str, Any]], Result], conflict_field: str = "name") -> Result | None:
    """``action(cleaned_data)`` for a valid form; API refusals land on the form; None unless it succeeded."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except API_FORM_ERRORS as error:
        # The service's messages name body fields, which these forms call by the same names unless
        # they say otherwise (``api_paths()``: rows of choices).
        api_paths = getattr(form, "api_paths", None)
        fields = api_paths() if api_paths else {name: name for name in form.fields}
        add_api_errors(form, error, fields, conflict_field)
        return None


def render_form(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A form page; 400 when it shows errors, so a failed submission never looks like a success."""
    form = context["form"]
    return render(request, template, context, status=400 if form.is_bound and form.errors else 200)


def save_or_show(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], dict[str, Any]],
    done: Callable[[dict[str, Any]], tuple[str, str]],
    template: str,
    context: dict[str, Any] | None = None,
    conflict_field: str = "name",
) -> HttpResponse:
    """A create or edit page: a POST ``save``s the cleaned data through the API, then ``done(saved)``
    names the flash message and the page to go to; API refusals show at the form's fields.
    """
    if request.method == "POST":
        saved = submit(form, save, conflict_field)
        if saved is not None:
            message, url = done(saved)
            messages.success(request, message)
            return redirect(url)
    return render_form(request, template, {"form": form, **(context or {})})


def delete_after_confirming(
    request: HttpRequest, item: dict[str, Any], delete: Callable[[], str], template: str, name: str, done: str
) -> HttpResponse:
    """A delete page: GET asks first (``item`` shown as ``name``); POST runs ``delete``, flashes the
    message it returns and goes to ``done``.
    """
    if request.method != "POST":
        return render(request, template, {name: item})
    messages.success(request, delete())
    return redirect(done)


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the form posted if it is a path on this site, else ``default``."""
    candidate = request.POST.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else default


def activity_message(what: str, activity: dict[str, Any]) -> str:
    """The flash message for a delete the API answered with an activity: done, or accepted and running.

    A running one links to its activity page, where the user can watch it finish.
    """
    if activity.get("state") == "completed":
        return f"{what} was deleted."
    accepted = f"{what} is being deleted: it is taken off its contacts in the background"
    try:
        follow = reverse("jobs:activity", args=[UUID(str(activity.get("activity_id")))])
    except ValueError:  # no usable id to follow
        return f"{accepted}."
    return format_html('{} (<a href="{}">follow its progress</a>).', accepted, follow)
