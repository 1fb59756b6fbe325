"""Forms of the jobs pages: the import wizard's three steps, the export, and the activities filter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from apps.contacts.choices import CONTACT_STATUSES
from ctctdash.pages import Choice

from .csv_files import MAX_BYTES, MAX_LINES, CsvFile, Target, describe_size, mapping_problems
from .models import Job
from .services import ACTIVITY_STATES, EXPORT_FIELDS

# The API's limit on list_ids for an import or an export.
MAX_LISTS = 50


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    """Set a choice field's options, known only once the account's lists or fields are read."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ImportUploadForm(forms.Form):
    """Step 1: the CSV file."""

    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"One contact per line, the first line naming the columns. At most {describe_size(MAX_BYTES)} "
            f"and {MAX_LINES:,} lines."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )


def _target_choices(targets: Sequence[Target]) -> list[Any]:
    """Select options grouped as the targets are: contact, phone, address, dates, custom fields."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for target in targets:
        groups.setdefault(target.group, []).append((target.key, target.label))
    return [("", "Don't import"), *groups.items()]


class ImportMappingForm(forms.Form):
    """Step 2: the contact field each column of the file is imported into (or none)."""

    def __init__(self, *args: Any, parsed: CsvFile, targets: Sequence[Target], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsed = parsed
        self.targets = list(targets)
        choices = _target_choices(self.targets)
        for index in range(len(parsed.header)):
            samples = parsed.samples(index)
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=parsed.column_name(index),
                choices=choices,
                required=False,
                help_text=", ".join(samples) if samples else "(empty in the first rows)",
            )

    def rows(self) -> list[tuple[forms.BoundField, int]]:
        """Each column's field with its position, for the mapping table."""
        return [(self[f"column_{index}"], index + 1) for index in range(len(self.parsed.header))]

    def chosen(self) -> dict[int, str]:
        """Column index -> field key, from whichever fields are valid (the preview shows a partial choice)."""
        data = getattr(self, "cleaned_data", {})
        return {
            index: data[f"column_{index}"] for index in range(len(self.parsed.header)) if data.get(f"column_{index}")
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for problem in mapping_problems(self.chosen(), self.parsed, self.targets):
            self.add_error(None, problem)
        return cleaned


class ImportStartForm(forms.Form):
    """Step 3: the lists the contacts join, and SMS permission when the file has SMS numbers."""

    list_ids = forms.MultipleChoiceField(
        label="Add the contacts to these lists", required=False, widget=forms.CheckboxSelectMultiple
    )
    new_list = forms.CharField(
        label="Or to a new list named", required=False, max_length=255, help_text="Created when the import starts."
    )
    sms_permission_to_send = forms.ChoiceField(
        label="Permission to send text messages",
        required=False,
        choices=[
            ("not_set", "Not set: the SMS numbers are stored, no texts are sent"),
            ("explicit", "Explicit: every contact agreed to receive texts (needs an SMS consent date column)"),
        ],
    )

    def __init__(self, *args: Any, lists: Sequence[Choice], mapped: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mapped = set(mapped)
        _choices(self, "list_ids", [(choice.id, choice.name) for choice in lists])
        if "sms_number" not in self.mapped:
            del self.fields["sms_permission_to_send"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = len(cleaned.get("list_ids") or []) + (1 if cleaned.get("new_list") else 0)
        if not chosen and not self.errors:
            self.add_error(None, "Choose at least one list (or name a new one): imported contacts join lists.")
        if chosen > MAX_LISTS:
            self.add_error("list_ids", f"An import can add contacts to at most {MAX_LISTS} lists.")
        if "sms_permission_to_send" in self.fields:
            permission = cleaned.get("sms_permission_to_send")
            if not permission:
                self.add_error("sms_permission_to_send", "Say whether these contacts agreed to receive texts.")
            elif permission == "explicit" and "sms_consent_date" not in self.mapped:
                self.add_error(
                    "sms_permission_to_send", "Explicit permission needs an SMS consent date column: go back a step."
                )
        return cleaned


EXPORT_DEFAULT_FIELDS = ("email_address", "first_name", "last_name", "permission_to_send")
# The export's ``status``: no value exports every contact that is not deleted, as the API does.
EXPORT_STATUSES = (("", "Any, except deleted contacts"), *CONTACT_STATUSES)


class ExportForm(forms.Form):
    """Which contacts to export (lists and status, tags, or a segment), which columns, and how they are headed."""

    list_ids = forms.MultipleChoiceField(
        label="Contacts on these lists",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose no list, tag or segment to export every contact.",
    )
    status = forms.ChoiceField(label="Email permission", choices=EXPORT_STATUSES, required=False)
    tag_ids = forms.MultipleChoiceField(
        label="Or contacts with these tags", required=False, widget=forms.CheckboxSelectMultiple
    )
    segment_id = forms.ChoiceField(label="Or the contacts of a segment", required=False)
    # Not "fields": that name is the form's own dict of fields.
    columns = forms.MultipleChoiceField(
        label="Columns", widget=forms.CheckboxSelectMultiple, initial=list(EXPORT_DEFAULT_FIELDS)
    )
    headers = forms.ChoiceField(
        label="Column headers in the file",
        choices=Job.Headers.choices,
        initial=Job.Headers.WORDS,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        lists: Sequence[Choice],
        custom_fields: Sequence[dict[str, Any]],
        tags: Sequence[Choice] = (),
        segments: Sequence[Choice] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.list_names = {choice.id: choice.name for choice in lists}
        self.tag_names = {choice.id: choice.name for choice in tags}
        self.segment_names = {choice.id: choice.name for choice in segments}
        _choices(self, "list_ids", list(self.list_names.items()))
        _choices(self, "tag_ids", list(self.tag_names.items()))
        _choices(self, "segment_id", [("", "No segment"), *self.segment_names.items()])
        custom = [
            (f"cf:{item['name']}", f"{item.get('label') or item['name']} (custom field)") for item in custom_fields
        ]
        _choices(self, "columns", [*EXPORT_FIELDS, *custom])

    def clean_list_ids(self) -> list[str]:
        chosen: list[str] = self.cleaned_data.get("list_ids") or []
        if len(chosen) > MAX_LISTS:
            raise forms.ValidationError(f"An export can filter by at most {MAX_LISTS} lists.")
        return chosen

    def clean_tag_ids(self) -> list[str]:
        chosen: list[str] = self.cleaned_data.get("tag_ids") or []
        if len(chosen) > MAX_LISTS:
            raise forms.ValidationError(f"An export can filter by at most {MAX_LISTS} tags.")
        return chosen

    def clean_headers(self) -> str:
        return str(self.cleaned_data.get("headers") or Job.Headers.WORDS)

    def clean_segment_id(self) -> int | None:
        chosen = self.cleaned_data.get("segment_id") or ""
        return int(chosen) if chosen else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The spec's sources exclude one another: lists (with a status), tags, or a segment.
        sources = [bool(cleaned.get("list_ids")), bool(cleaned.get("tag_ids")), cleaned.get("segment_id") is not None]
        if sum(sources) > 1:
            self.add_error(None, "Export by lists, by tags or by a segment: choose only one of them.")
        elif (sources[1] or sources[2]) and cleaned.get("status"):
            self.add_error("status", "An export by tags or by a segment takes every contact in it: leave this as Any.")
        return cleaned

    def describe(self) -> str:
        """What the export holds, in words, for the jobs table."""
        tags = [self.tag_names.get(pk, pk) for pk in self.cleaned_data.get("tag_ids") or []]
        segment = self.cleaned_data.get("segment_id")
        if tags:
            return f"Contacts tagged {', '.join(tags)}"
        if segment is not None:
            return f"Contacts of the segment {self.segment_names.get(str(segment), segment)}"
        names = [self.list_names.get(pk, pk) for pk in self.cleaned_data.get("list_ids") or []]
        status = dict(EXPORT_STATUSES).get(self.cleaned_data.get("status") or "", "")
        where = f"contacts on {', '.join(names)}" if names else "all contacts"
        return f"{where[:1].upper()}{where[1:]} ({status[:1].lower()}{status[1:]})"


class ActivityFilterForm(forms.Form):
    """The recent activities' state filter (a GET form)."""

    state = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *ACTIVITY_STATES])
