"""Forms of the contact pages: the list's filters and resubscribing (creating and editing: ``contact_edit``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from apps.contacts.choices import CONTACT_STATUSES
from apps.contacts.services import ContactFilters
from ctctdash.pages import AccessibleForm, Choice, offer

__all__ = ["ContactFilterForm", "ResubscribeForm"]

# GET /contacts ``status``; no value means every contact that is not deleted, as in the API.
STATUS_FILTERS = [("", "Any status but deleted"), *CONTACT_STATUSES]


class ContactFilterForm(forms.Form):
    """The list's search and filters, read from the query string (a plain GET form)."""

    # The search box. Its name stays ``email`` whatever the API is asked (``search`` or ``email``),
    # so a link saved before the built-in service searched names too still reads the same box.
    email = forms.CharField(
        label="Search",
        required=False,
        max_length=80,  # the API's limit for both parameters
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "name@example.com", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label="Status", choices=STATUS_FILTERS, required=False)
    # Named as the API's parameters are, so the query string reads like the call it becomes.
    lists = forms.ChoiceField(label="List", required=False)
    tags = forms.ChoiceField(label="Tag", required=False)
    segment_id = forms.ChoiceField(label="Segment", required=False)

    def __init__(
        self,
        *args: Any,
        lists: Sequence[Choice],
        tags: Sequence[Choice],
        segments: Sequence[Choice],
        any_part: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # ``any_part``: the API searches any part of names and email (``services.searches_any_part``);
        # otherwise the box is the spec's exact ``email`` filter and the page says so under it.
        self.any_part = any_part
        if any_part:
            self.fields["email"].widget.attrs["placeholder"] = "Name or email"
        else:
            self.fields["email"].widget.attrs["aria-describedby"] = "contact-search-note"
        offer(self, "lists", lists, "Any list")
        offer(self, "tags", tags, "Any tag")
        offer(self, "segment_id", segments, "No segment")

    def selects(self) -> list[tuple[forms.BoundField, list[tuple[str, str, bool]]]]:
        """Each select with its (value, label, selected) options, for the template to print in one loop.

        Django renders every option through a template of its own; an account with hundreds of
        lists would spend longer on the filter bar than on its contacts.
        """
        chosen = self.data if self.is_bound else {}
        return [
            (self[name], [(str(v), str(label), str(v) == chosen.get(name, "")) for v, label in _choices_of(self[name])])
            for name in ("status", "lists", "tags", "segment_id")
        ]

    def filters(self) -> ContactFilters:
        """The filters that passed validation (a list deleted meanwhile is simply not applied)."""
        if not self.is_bound:
            return ContactFilters()
        self.is_valid()
        data = self.cleaned_data
        term = (data.get("email") or "").strip()
        return ContactFilters(
            email="" if self.any_part else term,
            search=term if self.any_part else "",
            status=data.get("status") or "",
            list_id=data.get("lists") or "",
            tag_id=data.get("tags") or "",
            segment_id=data.get("segment_id") or "",
        )

    def active_filters(self) -> dict[str, str]:
        """The query-string values of the filters in use, for page links that keep them."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: str(value) for name, value in self.cleaned_data.items() if value}


def _choices_of(bound: forms.BoundField) -> list[tuple[Any, Any]]:
    """A choice field's options (flat: these forms have no option groups)."""
    return cast(list[tuple[Any, Any]], cast(forms.ChoiceField, bound.field).choices)


class ResubscribeForm(AccessibleForm):
    """The lists an unsubscribed contact is asked to rejoin (the API needs at least one)."""

    list_ids = forms.MultipleChoiceField(
        label="Lists to rejoin",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one list."},
    )

    def __init__(self, *args: Any, lists: Sequence[Choice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(self, "list_ids", lists)
