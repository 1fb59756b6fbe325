"""Segment forms: the criteria builder (a name, all/any, and condition rows) and the JSON fallback.

The builder works without JavaScript: its buttons are submit buttons (``builder=add``,
``builder=refresh``, ``remove=<row>``) that re-render the rows, and htmx only makes the same
requests without a full reload. Re-rendering builds *unbound* forms from the posted values, so a
half-filled row does not shout errors while it is being written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any, cast

from django import forms
from django.http import QueryDict

from ctctdash.pages import AlertErrorList, ManagementForm, add_api_errors

from ..management_services import Catalog
from ..segment_builder import (
    CONTACT,
    CONTACT_CHOICES,
    CONTACT_FIELDS,
    CUSTOM_FIELD,
    LIST_MEMBERSHIP,
    MATCH_ALL,
    MATCH_ANY,
    SOURCES,
    TAGS,
    NotBuildable,
    Row,
    condition_error,
    from_criteria,
    is_date_op,
    kind_of,
    operators_for,
    takes_value,
    to_criteria,
    value_hint,
)

__all__ = [
    "SegmentBuilder",
    "SegmentCriteriaForm",
    "builder_for_segment",
    "builder_from_post",
    "new_builder",
]

PREFIX = "conditions"
MAX_ROWS = 50
NAME_LENGTH = 255
CRITERIA_LENGTH = 20000
NEW_ROW = {"source": CONTACT, "field": "email_address", "op": "contains", "value": ""}
# The service prefixes every criteria message with the body field.
_CRITERIA_PREFIX = "segment_criteria: "


class SegmentForm(ManagementForm):
    """A segment's name and how its conditions combine."""

    name = forms.CharField(max_length=NAME_LENGTH)
    match = forms.ChoiceField(
        label="Contacts must match",
        choices=[(MATCH_ALL, "all of the conditions"), (MATCH_ANY, "any of the conditions")],
        widget=forms.RadioSelect,
        initial=MATCH_ALL,
    )


def field_choices(source: str, catalog: Catalog) -> list[tuple[str, str]]:
    """What a row of ``source`` can compare: contact fields, or the account's custom fields, lists or tags."""
    if source == CUSTOM_FIELD:
        return list(catalog.custom_fields)
    if source == LIST_MEMBERSHIP:
        return list(catalog.lists)
    if source == TAGS:
        return list(catalog.tags)
    return [(name, spec.label) for name, spec in CONTACT_FIELDS.items()]


_NONE_YET = {
    CUSTOM_FIELD: "There are no custom fields yet.",
    LIST_MEMBERSHIP: "There are no lists yet.",
    TAGS: "There are no tags yet.",
}


def value_choices(source: str, field: str, definition: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The values a row's field is known to take (a contact choice field's, a select custom field's), or []."""
    if source == CONTACT:
        return list(CONTACT_CHOICES.get(field, []))
    if source == CUSTOM_FIELD and definition and definition.get("type") in _SELECT_TYPES:
        # Segments compare a select field's value, which holds its choices' labels.
        labels = [str(choice.get("choice_label", "")) for choice in definition.get("choices") or []]
        return [(label, label) for label in labels if label]
    return []


_SELECT_TYPES = ("single_select", "multi_select")
# Operators whose value is several of the known choices (a multiple select).
_MANY_VALUES = ("in", "not-in")


class ConditionForm(ManagementForm):
    """One row: its field, operator and value choices follow its source (and field) as last submitted."""

    source = forms.ChoiceField(choices=list(SOURCES.items()))
    field = forms.ChoiceField(
        error_messages={"invalid_choice": "Choose one of the offered fields; they follow the source."}
    )
    op = forms.ChoiceField(
        label="Operator", error_messages={"invalid_choice": "Choose an operator that applies to this field."}
    )
    value = forms.CharField(required=False, max_length=1000)

    def __init__(
        self, *args: Any, catalog: Catalog, definitions: Mapping[str, Mapping[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        source = self._raw("source")
        self.row_source = source if source in SOURCES else CONTACT
        choices = field_choices(self.row_source, catalog)
        cast(forms.ChoiceField, self.fields["field"]).choices = choices
        field = self._raw("field")
        self.row_field = field if field in dict(choices) else (choices[0][0] if choices else "")
        definition = (definitions or {}).get(self.row_field) if self.row_source == CUSTOM_FIELD else None
        custom_type = str(definition.get("type", "")) if definition else ""
        self._custom_type = custom_type
        operators = operators_for(self.row_source, self.row_field, custom_type)
        cast(forms.ChoiceField, self.fields["op"]).choices = operators
        op = self._raw("op")
        # An operator the new field does not take gives way to the field's first, which its select shows.
        self.row_op = op if op in dict(operators) else (operators[0][0] if operators else "")
        self.fields["value"] = self._value_field(value_choices(self.row_source, self.row_field, definition))
        self.none_yet = "" if choices else _NONE_YET.get(self.row_source, "")

    def _value_field(self, known: list[tuple[str, str]]) -> forms.Field:
        """The value control that fits the field and operator: a choice picker, a date, a count, or text."""
        # As help text, Django ties it to the value box with aria-describedby.
        hint = value_hint(self.row_source, self.row_field, self.row_op)
        if known and self.row_op in _MANY_VALUES:
            if not self.is_bound:
                current = str(self.initial.get("value", ""))
                self.initial["value"] = [item.strip() for item in current.split(",") if item.strip()]
            return forms.MultipleChoiceField(
                choices=known,
                required=False,
                widget=forms.SelectMultiple(attrs={"size": min(len(known), 6)}),
                help_text="Choose one or more (Ctrl or ⌘ and click to choose several).",
            )
        if known:
            return forms.ChoiceField(choices=known, required=False)
        if is_date_op(self.row_op):
            return forms.CharField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        if self.row_op == "between" and kind_of(self.row_source, self.row_field, self._custom_type) == "date":
            return DateRangeField(required=False, row_number=self._row_number())
        if self.row_op == "in-last-n-days":
            return forms.CharField(
                required=False, widget=forms.NumberInput(attrs={"min": 1, "max": 1825}), help_text=hint
            )
        return forms.CharField(required=False, max_length=1000, help_text=hint)

    def _row_number(self) -> int:
        """The row's number as its labels say it ("Condition 2 ..."): the formset index, from 1."""
        index = str(self.prefix or "").rsplit("-", 1)[-1]
        return int(index) + 1 if index.isdigit() else 1

    def _raw(self, name: str) -> str:
        """The submitted value when bound, else the initial one: what the row shows now."""
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), ""))
        return str(self.initial.get(name, ""))

    @property
    def shows_value(self) -> bool:
        """Whether the row's operator needs the value box (list and tag rows never do)."""
        return takes_value(self.row_source, self.row_op)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        source, op = cleaned.get("source"), cleaned.get("op")
        if source and op and takes_value(source, op) and not _value_text(cleaned.get("value")).strip():
            self.add_error("value", "Enter a value for this operator.")
        return cleaned

    def row(self) -> Row:
        """The cleaned row."""
        data = self.cleaned_data
        return Row(data["source"], data["field"], data["op"], _value_text(data.get("value")))


def _value_text(value: Any) -> str:
    """A value box's text: several chosen values are comma-joined, as the builder's rows hold them."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value or "")


class DateRangeWidget(forms.MultiWidget):
    """Two date pickers, first and last day, for "is between" on a date field."""

    def __init__(self, row_number: int = 1) -> None:
        # Each picker names its row, as the row's other controls do ("Condition 2 value").
        super().__init__(
            [
                forms.DateInput(attrs={"type": "date", "aria-label": f"Condition {row_number} first day"}),
                forms.DateInput(attrs={"type": "date", "aria-label": f"Condition {row_number} last day"}),
            ]
        )

    def decompress(self, value: Any) -> list[str]:
        """The builder's row text ("2024-01-01, 2024-03-31") as the two pickers' values."""
        parts = [part.strip() for part in str(value or "").split(",")]
        return [*parts, "", ""][:2]


class DateRangeField(forms.MultiValueField):
    """The two days of a range, as the builder's row text holds them (comma-joined); both or neither."""

    def __init__(self, row_number: int = 1, **kwargs: Any) -> None:
        days = [forms.CharField(required=False), forms.CharField(required=False)]
        super().__init__(fields=days, widget=DateRangeWidget(row_number), require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> str:
        first, last = ([*data_list, "", ""])[:2]
        if bool(first) != bool(last):
            raise forms.ValidationError("Choose both the first and the last day.")
        return f"{first}, {last}" if first else ""


ConditionFormSet = forms.formset_factory(
    ConditionForm, extra=0, min_num=1, validate_min=True, max_num=MAX_ROWS, validate_max=True
)


class SegmentBuilder:
    """The segment form and its condition rows, bound to a POST or filled with values to show."""

    def __init__(
        self,
        catalog: Catalog,
        data: QueryDict | None = None,
        initial: dict[str, Any] | None = None,
        rows: list[dict[str, Any]] | None = None,
        focus: int | None = None,
        name_required: bool = True,
        definitions: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.catalog = catalog
        # The custom fields' types and choices, by id: which operators and values each row offers.
        by_id = {str(definition.get("custom_field_id", "")): definition for definition in definitions}
        self.form = SegmentForm(data, initial=initial)
        # A preview needs conditions, not a name.
        self.form.fields["name"].required = name_required
        self.conditions = ConditionFormSet(
            data,
            initial=rows,
            prefix=PREFIX,
            form_kwargs={"catalog": catalog, "definitions": by_id},
            error_class=AlertErrorList,
        )
        if focus is not None and focus < len(self.conditions.forms):
            # The row just added takes the focus (htmx honours autofocus in the content it swaps in).
            self.conditions.forms[focus].fields["source"].widget.attrs["autofocus"] = True
        self.criteria_errors = AlertErrorList()

    def is_valid(self) -> bool:
        """Both the name and every row are complete."""
        return all([self.form.is_valid(), self.conditions.is_valid()])

    @property
    def match(self) -> str:
        """all or any (valid builders only)."""
        return str(self.form.cleaned_data["match"])

    @property
    def name(self) -> str:
        """The segment name (valid builders only)."""
        return str(self.form.cleaned_data["name"])

    def criteria(self) -> str:
        """The ``segment_criteria`` JSON text of a valid builder."""
        return to_criteria([row_form.row() for row_form in self.conditions.forms], self.match)

    def add_api_error(self, error: Any) -> None:
        """Show an API refusal: at the row and column it names, above the rows, or at the name."""
        for detail in error.errors:
            message = detail.error_message
            place = condition_error(message, self.match)
            if place is not None and place[0] < len(self.conditions.forms):
                index, column, text = place
                row_form = self.conditions.forms[index]
                if column == "value" and not row_form.shows_value:
                    column = "field"  # a list or tag row's id is its field
                row_form.add_error(column, text)
            elif message.startswith(_CRITERIA_PREFIX):
                self.criteria_errors.append(message.removeprefix(_CRITERIA_PREFIX))
            else:
                add_api_errors(self.form, type(error)(error.status, [detail]), {"name": "name"}, "name")

    @property
    def has_errors(self) -> bool:
        """Whether anything is shown as wrong."""
        rows_wrong = any(row_form.errors for row_form in self.conditions.forms)
        return bool(self.form.errors or rows_wrong or self.conditions.non_form_errors() or self.criteria_errors)


def _posted_rows(data: QueryDict) -> list[dict[str, Any]]:
    """The rows as posted, without validating them (the management form's count bounds them)."""
    try:
        total = int(data.get(f"{PREFIX}-TOTAL_FORMS", "0"))
    except ValueError:
        total = 0
    names = ("source", "field", "op")
    rows = []
    for i in range(max(0, min(total, MAX_ROWS))):
        row = {name: data.get(f"{PREFIX}-{i}-{name}", "") for name in names}
        # A multiple select posts each chosen value.
        row["value"] = ", ".join(v for v in data.getlist(f"{PREFIX}-{i}-value") if v)
        rows.append(row)
    return rows


def builder_from_post(
    data: QueryDict, catalog: Catalog, definitions: Sequence[Mapping[str, Any]] = ()
) -> tuple[SegmentBuilder, bool]:
    """The builder for a POST and whether it is to be saved (or previewed) rather than re-shown.

    ``builder=add`` appends a row, ``remove=<n>`` drops row n, ``builder=refresh`` re-offers the
    field and operator choices after a source or field changed; each answers an unbound builder.
    """
    action, remove = data.get("builder", ""), data.get("remove")
    if action not in ("add", "refresh") and remove is None:
        return SegmentBuilder(catalog, data=data, definitions=definitions), True
    rows = _posted_rows(data)
    focus = None
    if action == "add" and len(rows) < MAX_ROWS:
        rows.append(dict(NEW_ROW))
        focus = len(rows) - 1
    elif remove is not None and remove.isdigit() and int(remove) < len(rows) and len(rows) > 1:
        del rows[int(remove)]
    initial = {"name": data.get("name", ""), "match": data.get("match", MATCH_ALL)}
    return SegmentBuilder(catalog, initial=initial, rows=rows, focus=focus, definitions=definitions), False


def builder_for_segment(
    segment: dict[str, Any], catalog: Catalog, definitions: Sequence[Mapping[str, Any]] = ()
) -> SegmentBuilder | None:
    """A builder showing a saved segment, or None when its criteria are not builder-shaped."""
    try:
        match, rows = from_criteria(str(segment.get("segment_criteria", "")))
    except NotBuildable:
        return None
    initial = {"name": segment.get("name", ""), "match": match}
    return SegmentBuilder(catalog, initial=initial, rows=[asdict(row) for row in rows], definitions=definitions)


def new_builder(catalog: Catalog, definitions: Sequence[Mapping[str, Any]] = ()) -> SegmentBuilder:
    """An empty builder with one row to start from."""
    return SegmentBuilder(catalog, initial={"match": MATCH_ALL}, rows=[dict(NEW_ROW)], definitions=definitions)


class SegmentCriteriaForm(ManagementForm):
    """A segment whose criteria the builder cannot show: its name and the criteria JSON itself."""

    name = forms.CharField(max_length=NAME_LENGTH)
    segment_criteria = forms.CharField(
        label="Criteria (JSON)",
        max_length=CRITERIA_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text="These criteria go beyond what the builder shows, so they are edited as the API's JSON.",
    )
