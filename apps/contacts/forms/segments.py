"""Segment forms: the criteria builder (a name, all/any, and condition rows) and the JSON fallback.

The builder works without JavaScript: its buttons are submit buttons (``builder=add``,
``builder=refresh``, ``remove=<row>``) that re-render the rows, and htmx only makes the same
requests without a full reload. Re-rendering builds *unbound* forms from the posted values, so a
half-filled row does not shout errors while it is being written.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast

from django import forms
from django.http import QueryDict

from ctctdash.pages import AlertErrorList, ManagementForm, add_api_errors

from ..management_services import Catalog
from ..segment_builder import (
    CONTACT,
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


class ConditionForm(ManagementForm):
    """One row: its field and operator choices follow its source (and field) as last submitted."""

    source = forms.ChoiceField(choices=list(SOURCES.items()))
    field = forms.ChoiceField(
        error_messages={"invalid_choice": "Choose one of the offered fields; they follow the source."}
    )
    op = forms.ChoiceField(
        label="Operator", error_messages={"invalid_choice": "Choose an operator that applies to this field."}
    )
    value = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args: Any, catalog: Catalog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self._raw("source")
        self.row_source = source if source in SOURCES else CONTACT
        choices = field_choices(self.row_source, catalog)
        cast(forms.ChoiceField, self.fields["field"]).choices = choices
        field = self._raw("field")
        self.row_field = field if field in dict(choices) else (choices[0][0] if choices else "")
        cast(forms.ChoiceField, self.fields["op"]).choices = operators_for(self.row_source, self.row_field)
        # As help text, Django ties it to the value box with aria-describedby.
        self.fields["value"].help_text = value_hint(self.row_source, self.row_field, self._raw("op"))
        self.none_yet = "" if choices else _NONE_YET.get(self.row_source, "")

    def _raw(self, name: str) -> str:
        """The submitted value when bound, else the initial one: what the row shows now."""
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), ""))
        return str(self.initial.get(name, ""))

    @property
    def shows_value(self) -> bool:
        """Whether the row's operator needs the value box (list and tag rows never do)."""
        return takes_value(self.row_source, self._raw("op"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        source, op = cleaned.get("source"), cleaned.get("op")
        if source and op and takes_value(source, op) and not (cleaned.get("value") or "").strip():
            self.add_error("value", "Enter a value for this operator.")
        return cleaned

    def row(self) -> Row:
        """The cleaned row."""
        data = self.cleaned_data
        return Row(data["source"], data["field"], data["op"], data.get("value") or "")


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
    ) -> None:
        self.catalog = catalog
        self.form = SegmentForm(data, initial=initial)
        # A preview needs conditions, not a name.
        self.form.fields["name"].required = name_required
        self.conditions = ConditionFormSet(
            data, initial=rows, prefix=PREFIX, form_kwargs={"catalog": catalog}, error_class=AlertErrorList
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
    names = ("source", "field", "op", "value")
    return [{name: data.get(f"{PREFIX}-{i}-{name}", "") for name in names} for i in range(max(0, min(total, MAX_ROWS)))]


def builder_from_post(data: QueryDict, catalog: Catalog) -> tuple[SegmentBuilder, bool]:
    """The builder for a POST and whether it is to be saved (or previewed) rather than re-shown.

    ``builder=add`` appends a row, ``remove=<n>`` drops row n, ``builder=refresh`` re-offers the
    field and operator choices after a source or field changed; each answers an unbound builder.
    """
    action, remove = data.get("builder", ""), data.get("remove")
    if action not in ("add", "refresh") and remove is None:
        return SegmentBuilder(catalog, data=data), True
    rows = _posted_rows(data)
    focus = None
    if action == "add" and len(rows) < MAX_ROWS:
        rows.append(dict(NEW_ROW))
        focus = len(rows) - 1
    elif remove is not None and remove.isdigit() and int(remove) < len(rows) and len(rows) > 1:
        del rows[int(remove)]
    initial = {"name": data.get("name", ""), "match": data.get("match", MATCH_ALL)}
    return SegmentBuilder(catalog, initial=initial, rows=rows, focus=focus), False


def builder_for_segment(segment: dict[str, Any], catalog: Catalog) -> SegmentBuilder | None:
    """A builder showing a saved segment, or None when its criteria are not builder-shaped."""
    try:
        match, rows = from_criteria(str(segment.get("segment_criteria", "")))
    except NotBuildable:
        return None
    initial = {"name": segment.get("name", ""), "match": match}
    return SegmentBuilder(catalog, initial=initial, rows=[asdict(row) for row in rows])


def new_builder(catalog: Catalog) -> SegmentBuilder:
    """An empty builder with one row to start from."""
    return SegmentBuilder(catalog, initial={"match": MATCH_ALL}, rows=[dict(NEW_ROW)])


class SegmentCriteriaForm(ManagementForm):
    """A segment whose criteria the builder cannot show: its name and the criteria JSON itself."""

    name = forms.CharField(max_length=NAME_LENGTH)
    segment_criteria = forms.CharField(
        label="Criteria (JSON)",
        max_length=CRITERIA_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text="These criteria go beyond what the builder shows, so they are edited as the API's JSON.",
    )
