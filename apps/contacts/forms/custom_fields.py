"""Custom field forms: create (label, type and, for select fields, choices), edit the label, edit the choices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from ctctdash.pages import ManagementForm

from ..management_services import CUSTOM_FIELD_TYPES, SELECT_TYPES

__all__ = ["CustomFieldChoicesForm", "CustomFieldCreateForm", "CustomFieldLabelForm"]

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


# Blank rows offered for new choices, and how many more "Add more choices" brings.
EXTRA_ROWS = 3
MORE_ROWS = 5


class CustomFieldChoicesForm(CustomFieldLabelForm):
    """A drop-down or checkbox field's label and its choices: each can be renamed, moved or removed,
    and the blank rows add new ones.

    Each row carries the choice's ``choice_id`` (hidden), so the API keeps the ids of the choices
    that stay and with them contacts' selections; a removed choice leaves every contact that had it.
    Rows are ordered by their position number, then as shown. The API judges the rest (a repeated
    label, how many choices the field's display type offers) and its messages land on the row or
    above the choices.
    """

    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_CHOICES + EXTRA_ROWS)

    def __init__(self, *args: Any, choices: Sequence[Mapping[str, Any]], rows: int | None = None, **kwargs: Any):
        initial = dict(kwargs.pop("initial", None) or {})
        for n, choice in enumerate(choices):
            initial.setdefault(f"choice_{n}_id", choice.get("choice_id"))
            initial.setdefault(f"choice_{n}_label", choice.get("choice_label", ""))
            initial.setdefault(f"choice_{n}_order", n + 1)
        super().__init__(*args, initial=initial, **kwargs)
        if rows is None:
            rows = self._posted_rows() if self.is_bound else len(choices) + EXTRA_ROWS
        rows = max(len(choices), min(rows, MAX_CHOICES + EXTRA_ROWS))
        self.initial["rows"] = rows
        self.row_count = rows
        self._paths: dict[str, str] = {"label": "label"}
        for n in range(rows):
            self.fields[f"choice_{n}_id"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
            self.fields[f"choice_{n}_label"] = forms.CharField(
                label=f"Choice {n + 1}", max_length=CHOICE_LENGTH, required=False
            )
            self.fields[f"choice_{n}_order"] = forms.IntegerField(
                label=f"Position of choice {n + 1}", required=False, min_value=1, max_value=MAX_CHOICES + EXTRA_ROWS
            )
            self.fields[f"choice_{n}_remove"] = forms.BooleanField(label=f"Remove choice {n + 1}", required=False)

    def _posted_rows(self) -> int:
        try:
            return int(self.data.get(self.add_prefix("rows"), 0))
        except (TypeError, ValueError):
            return 0

    def choice_rows(self) -> list[dict[str, forms.BoundField]]:
        """Each row's inputs for the template: id, label, position, remove."""
        return [
            {part: self[f"choice_{n}_{part}"] for part in ("id", "label", "order", "remove")}
            for n in range(self.row_count)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kept: list[tuple[int, int, dict[str, Any]]] = []
        for n in range(self.row_count):
            choice_id, label = cleaned.get(f"choice_{n}_id"), (cleaned.get(f"choice_{n}_label") or "").strip()
            if cleaned.get(f"choice_{n}_remove") or (not label and choice_id is None):
                continue
            if not label:
                self.add_error(f"choice_{n}_label", "Give the choice a label, or tick Remove.")
                continue
            choice: dict[str, Any] = {"choice_label": label}
            if choice_id is not None:
                choice["choice_id"] = choice_id
            kept.append((cleaned.get(f"choice_{n}_order") or MAX_CHOICES + EXTRA_ROWS + 1, n, choice))
        kept.sort(key=lambda item: item[:2])
        if not kept:
            self.add_error(None, "Keep at least one choice.")
        elif len(kept) > MAX_CHOICES:
            self.add_error(None, f"At most {MAX_CHOICES} choices.")
        self._paths = {"label": "label", **{f"choices.{i}": f"choice_{n}_label" for i, (_, n, _) in enumerate(kept)}}
        cleaned["choices"] = [choice for _, _, choice in kept]
        return cleaned

    def api_paths(self) -> dict[str, str]:
        """Which input each body path of the last cleaned data came from (``choices.2`` -> its row's label)."""
        return self._paths
