"""Custom field pages: the table of fields, one field, create, edit (label; choices of select fields), delete."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apps.accounts.services import can_write, client_for, require_writer
from ctctdash.htmx import wants_fragment
from ctctdash.pages import delete_after_confirming, found_or_404, listing_page, save_or_show

from .. import management_services as actions
from ..forms.custom_fields import MORE_ROWS, CustomFieldChoicesForm, CustomFieldCreateForm, CustomFieldLabelForm

TEMPLATE_FORM = "contacts/custom_field_form.html"


def _field_page(saved: dict[str, str]) -> str:
    return reverse("contacts:custom_field_detail", args=[saved["custom_field_id"]])


@login_required
def custom_field_list(request: HttpRequest) -> HttpResponse:
    """The account's custom fields."""
    with client_for(request) as client:
        page = listing_page(request, lambda cursor: actions.custom_field_page(client, cursor))
    return render(request, "contacts/custom_field_list.html", {"page": page, "can_write": can_write(request)})


@login_required
def custom_field_detail(request: HttpRequest, custom_field_id: UUID) -> HttpResponse:
    """One custom field with its choices."""
    with client_for(request) as client, found_or_404():
        custom_field = actions.get_custom_field(client, str(custom_field_id))
    context = {"field": custom_field, "can_write": can_write(request)}
    return render(request, "contacts/custom_field_detail.html", context)


@login_required
def custom_field_create(request: HttpRequest) -> HttpResponse:
    """A new custom field: a label and a type (and choices for drop-downs and checkboxes)."""
    require_writer(request)
    form = CustomFieldCreateForm(request.POST or None)
    with client_for(request) as client:
        return save_or_show(
            request,
            form,
            lambda data: actions.create_custom_field(client, **data),
            lambda saved: (f"The custom field {saved['label']} was created.", _field_page(saved)),
            TEMPLATE_FORM,
            conflict_field="label",
        )


@login_required
def custom_field_edit(request: HttpRequest, custom_field_id: UUID) -> HttpResponse:
    """Change a custom field's label and, for drop-downs and checkboxes, its choices (the type stays)."""
    require_writer(request)
    with client_for(request) as client:
        with found_or_404():
            custom_field = actions.get_custom_field(client, str(custom_field_id))
        context = {"field": custom_field, "form_action": request.path}
        if custom_field.get("type") not in actions.SELECT_TYPES:
            form: CustomFieldLabelForm = CustomFieldLabelForm(request.POST or None, initial=custom_field)

            def save(data: dict[str, Any]) -> dict[str, Any]:
                return actions.rename_custom_field(client, str(custom_field_id), label=data["label"])

            done = "The custom field is now labelled {label}."

        else:
            choices = custom_field.get("choices") or []
            if "more_rows" in request.POST:
                return _more_choice_rows(request, choices, context)
            form = CustomFieldChoicesForm(request.POST or None, initial=custom_field, choices=choices)

            def save(data: dict[str, Any]) -> dict[str, Any]:
                return actions.update_custom_field(
                    client, str(custom_field_id), label=data["label"], choices=data["choices"]
                )

            done = "The custom field {label} and its choices were saved."

        return save_or_show(
            request,
            form,
            save,
            lambda saved: (done.format(label=saved["label"]), _field_page(saved)),
            TEMPLATE_FORM,
            context,
            conflict_field="label",
        )


def _more_choice_rows(request: HttpRequest, choices: list[dict[str, Any]], context: dict[str, Any]) -> HttpResponse:
    """The choices as typed so far, with more blank rows: nothing is saved or checked yet.

    htmx swaps only the rows (the button that asked keeps the focus); without JavaScript the whole
    form comes back.
    """
    typed = CustomFieldChoicesForm(request.POST, choices=choices)
    form = CustomFieldChoicesForm(initial=request.POST.dict(), choices=choices, rows=typed.row_count + MORE_ROWS)
    template = f"{TEMPLATE_FORM}#choices" if wants_fragment(request) else TEMPLATE_FORM
    return render(request, template, {**context, "form": form})


@login_required
def custom_field_delete(request: HttpRequest, custom_field_id: UUID) -> HttpResponse:
    """Confirm (every contact's value for the field goes too), then delete a custom field."""
    require_writer(request)
    with client_for(request) as client, found_or_404():
        custom_field = actions.get_custom_field(client, str(custom_field_id))

        def delete() -> str:
            actions.delete_custom_field(client, str(custom_field_id))
            return f"The custom field {custom_field['label']} and its values were deleted."

        return delete_after_confirming(
            request,
            custom_field,
            delete,
            "contacts/custom_field_confirm_delete.html",
            "field",
            "contacts:custom_fields",
        )
