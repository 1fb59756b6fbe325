"""Segment pages: the list, one segment, the criteria builder (create and edit), preview, delete.

The builder is one form: its rows change through submit buttons that re-render it (no JavaScript
needed); htmx sends the same requests and swaps only ``#segment-builder``. Criteria the builder
cannot show (written through the API by someone else) are edited as JSON instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.services import can_write, client_for, require_writer
from apps.ctct import BadRequest
from ctctdash.htmx import wants_fragment
from ctctdash.pages import API_FORM_ERRORS, delete_after_confirming, found_or_404, listing_page, render_form, submit

from .. import management_services as actions
from ..choices import custom_fields
from ..forms.segments import (
    SegmentBuilder,
    SegmentCriteriaForm,
    builder_for_segment,
    builder_from_post,
    new_builder,
)
from ..segment_builder import NotBuildable, describe, from_criteria


@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    """The account's segments, most recently edited first (or by name)."""
    sort = request.GET.get("sort", "date")
    sort = sort if sort in actions.SORTS else "date"
    with client_for(request) as client:
        page = listing_page(request, lambda cursor: actions.segment_page(client, cursor, sort), keep={"sort": sort})
    context = {"page": page, "sort": sort, "can_write": can_write(request)}
    return render(request, "contacts/segment_list.html", context)


@login_required
def segment_detail(request: HttpRequest, segment_id: int) -> HttpResponse:
    """One segment: its conditions in words and the contacts it selects now."""
    with client_for(request) as client, found_or_404():
        segment = actions.get_segment(client, segment_id)
        catalog = actions.builder_catalog(client)
        try:
            matches, problem = actions.segment_matches(client, segment_id), ""
        except BadRequest as exc:  # criteria saved elsewhere that the API will not evaluate
            matches, problem = None, exc.error_message
    try:
        match, rows = from_criteria(str(segment.get("segment_criteria", "")))
        conditions = [describe(row, catalog.names()) for row in rows]
    except NotBuildable:
        match, conditions = "", []
    context = {
        "segment": segment,
        "match": match,
        "conditions": conditions,
        "preview": matches,
        "problem": problem,
        "can_write": can_write(request),
    }
    return render(request, "contacts/segment_detail.html", context)


def _builder_page(
    request: HttpRequest, builder: SegmentBuilder, segment: dict[str, Any] | None = None, preview: Any = None
) -> HttpResponse:
    """The builder page, or for htmx the builder alone (always 200: htmx swaps no 4xx answer)."""
    action = reverse("contacts:segment_edit", args=[segment["segment_id"]]) if segment else None
    context = {
        "builder": builder,
        "segment": segment,
        "preview": preview,
        "form_action": action or reverse("contacts:segment_create"),
    }
    if wants_fragment(request):
        return render(request, "contacts/segment_form.html#builder", context)
    return render(request, "contacts/segment_form.html", context, status=400 if builder.has_errors else 200)


def _save(builder: SegmentBuilder, save: Callable[[str, str], dict[str, Any]]) -> dict[str, Any] | None:
    """``save(name, criteria)`` for a complete builder; API refusals land in it; None unless saved."""
    if not builder.is_valid():
        return None
    try:
        return save(builder.name, builder.criteria())
    except API_FORM_ERRORS as error:
        builder.add_api_error(error)
        return None


@login_required
def segment_create(request: HttpRequest) -> HttpResponse:
    """A new segment, built from conditions."""
    require_writer(request)
    with client_for(request) as client:
        catalog = actions.builder_catalog(client)
        if request.method != "POST":
            return _builder_page(request, new_builder(catalog, custom_fields(client)))
        builder, final = builder_from_post(request.POST, catalog, custom_fields(client))
        created = (
            _save(builder, lambda name, criteria: actions.create_segment(client, name=name, criteria=criteria))
            if final
            else None
        )
    if created is not None:
        messages.success(request, f"The segment {created['name']} was saved.")
        return redirect("contacts:segment_detail", created["segment_id"])
    return _builder_page(request, builder)


@login_required
def segment_edit(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Rename a segment and change its conditions (as JSON when the builder cannot show them)."""
    require_writer(request)
    with client_for(request) as client:
        with found_or_404():
            segment = actions.get_segment(client, segment_id)
        catalog = actions.builder_catalog(client)

        def save(name: str, criteria: str) -> dict[str, Any]:
            return actions.update_segment(client, segment_id, name=name, criteria=criteria)

        if request.method != "POST":
            builder = builder_for_segment(segment, catalog, custom_fields(client))
            if builder is None:
                return _criteria_page(request, SegmentCriteriaForm(initial=segment), segment)
            return _builder_page(request, builder, segment)
        if "segment_criteria" in request.POST:
            form = SegmentCriteriaForm(request.POST)
            saved = submit(form, lambda data: save(data["name"], data["segment_criteria"]))
            if saved is None:
                return _criteria_page(request, form, segment)
        else:
            builder, final = builder_from_post(request.POST, catalog, custom_fields(client))
            saved = _save(builder, save) if final else None
            if saved is None:
                return _builder_page(request, builder, segment)
    messages.success(request, f"The segment {saved['name']} was saved.")
    return redirect("contacts:segment_detail", segment_id)


def _criteria_page(request: HttpRequest, form: SegmentCriteriaForm, segment: dict[str, Any]) -> HttpResponse:
    return render_form(request, "contacts/segment_json_form.html", {"form": form, "segment": segment})


@login_required
@require_POST
def segment_preview(request: HttpRequest) -> HttpResponse:
    """The count and first contacts of the builder's unsaved conditions (the name may still be blank).

    A preview saves a draft segment for a moment (``management_services``), so it needs write access.
    """
    require_writer(request)
    editing = request.POST.get("segment", "")
    with client_for(request) as client:
        segment = None
        if editing.isdigit():
            with found_or_404():
                segment = actions.get_segment(client, int(editing))
        builder = SegmentBuilder(
            actions.builder_catalog(client), data=request.POST, name_required=False, definitions=custom_fields(client)
        )
        preview = None
        if builder.is_valid():
            try:
                preview = actions.preview_criteria(client, builder.criteria())
            except API_FORM_ERRORS as error:
                builder.add_api_error(error)
    return _builder_page(request, builder, segment, preview)


@login_required
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Confirm, then delete a segment (its contacts are not touched)."""
    require_writer(request)
    with client_for(request) as client, found_or_404():
        segment = actions.get_segment(client, segment_id)

        def delete() -> str:
            actions.delete_segment(client, segment_id)
            return f"The segment {segment['name']} was deleted."

        return delete_after_confirming(
            request, segment, delete, "contacts/segment_confirm_delete.html", "segment", "contacts:segments"
        )
