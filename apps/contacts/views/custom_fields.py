"""Custom field pages: the table of fields, one field, create, edit the label, and delete."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apps.accounts.services import client_for

from .. import management_services as actions
from ..forms.custom_fields import CustomFieldCreateForm, CustomFieldLabelForm
from .shared import can_write, delete_after_confirming, found_or_404, listing_page, require_writer, save_or_show

TEMPLATE_FORM = "contacts/custom_field_form.html"


def _field_page(saved: dict[str, str]) -> str:
    return reverse("contacts:custom_field_detail", args=[saved["custom_field_id"]])


@login_required
def custom_field_list(request: HttpRequest) -> HttpResponse:
    """The account's custom fields."""
    with client_for(request) as client:
        page = listing_page(request, lambda token: actions.custom_field_page(client, token))
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
    """Change a custom field's label (its type cannot change once contacts hold values)."""
    require_writer(request)
    with client_for(request) as client:
        with found_or_404():
            custom_field = actions.get_custom_field(client, str(custom_field_id))
        return save_or_show(
            request,
            CustomFieldLabelForm(request.POST or None, initial=custom_field),
            lambda data: actions.rename_custom_field(client, str(custom_field_id), **data),
            lambda saved: (f"The custom field is now labelled {saved['label']}.", _field_page(saved)),
            TEMPLATE_FORM,
            {"field": custom_field},
            conflict_field="label",
        )


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
