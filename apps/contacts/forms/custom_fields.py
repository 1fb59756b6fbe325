"""Custom field forms: create (label, type and, for select fields, choices) and edit the label."""

from __future__ import annotations

from typing import Any

from django import forms

from ..management_services import CUSTOM_FIELD_TYPES, SELECT_TYPES
from .shared import ManagementForm

__all__ = ["CustomFieldCreateForm", "CustomFieldLabelForm"]

# The spec's limits: a label of 50 characters, at most 100 choices of 255.
LABEL_LENGTH = 50
MAX_CHOICES = 100
CHOICE_LENGTH = 255


class CustomFieldLabelForm(ManagementForm):
    """A custom field's label (its name is derived from it by the API)."""

    label = forms.CharField(max_length=LABEL_LENGTH, help_text="Up to 50 characters.")


class CustomFieldCreateForm(CustomFieldLabelForm):
    """A new custom field; drop-down and checkbox fields also need their choices, one per line."""

    type = forms.ChoiceField(choices=list(CUSTOM_FIELD_TYPES.items()), initial="string")
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For drop-down and checkbox fields: one choice per line.",
    )

    def clean_choices(self) -> list[str]:
        """The non-blank lines, in order."""
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines()]
        choices = [line for line in lines if line]
        if len(choices) > MAX_CHOICES:
            raise forms.ValidationError(f"At most {MAX_CHOICES} choices.")
        if any(len(choice) > CHOICE_LENGTH for choice in choices):
            raise forms.ValidationError(f"Each choice has at most {CHOICE_LENGTH} characters.")
        return choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, choices = cleaned.get("type"), cleaned.get("choices") or []
        if kind in SELECT_TYPES and not choices:
            self.add_error("choices", "Give at least one choice, one per line.")
        elif kind and kind not in SELECT_TYPES and choices:
            self.add_error("choices", f"A {CUSTOM_FIELD_TYPES[kind].lower()} field has no choices; leave this empty.")
        return cleaned
