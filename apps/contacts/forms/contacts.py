"""Forms of the contact pages: the list's filters, creating and editing a contact, resubscribing.

A contact form turns its cleaned data into the V3 body (``ContactForm.api_body``) and says which
body path each of its fields becomes, so the API's validation messages can be shown at the field
that caused them (``apps.contacts.services.add_api_errors``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from django import forms

from apps.contacts.services import Choice, ContactFilters

from .shared import ManagementForm

__all__ = [
    "ContactFilterForm",
    "ContactForm",
    "ResubscribeForm",
]

# Email permission as the API spells it, worded for the people choosing it.
PERMISSIONS = [
    ("implicit", "Implicit: an existing customer or business contact"),
    ("explicit", "Explicit: they asked to receive email"),
    ("not_set", "Not set"),
    ("pending_confirmation", "Pending confirmation"),
    ("temp_hold", "Temporary hold"),
    ("unsubscribed", "Unsubscribed"),
]
# GET /contacts ``status``; no value means every contact that is not deleted, as in the API.
STATUS_FILTERS = [
    ("", "Any status but deleted"),
    ("active", "Active (explicit or implicit)"),
    ("unsubscribed", "Unsubscribed"),
    ("pending_confirmation", "Pending confirmation"),
    ("not_set", "Permission not set"),
    ("temp_hold", "Temporary hold"),
    ("deleted", "Deleted"),
    ("all", "All, deleted included"),
]
PHONE_KINDS = [("home", "Home"), ("work", "Work"), ("mobile", "Mobile"), ("other", "Other")]
ADDRESS_KINDS = [("home", "Home"), ("work", "Work"), ("other", "Other")]
PHONE_SLOTS = 3  # the API's maximum per contact
ADDRESS_PARTS = ("street", "city", "state", "postal_code", "country")
SCALARS = ("first_name", "last_name", "job_title", "company_name", "birthday_month", "birthday_day", "anniversary")
MONTHS = [(n, calendar.month_name[n]) for n in range(1, 13)]
SELECT_TYPES = ("single_select", "multi_select")
# Body paths the form always has; phones, the address and custom fields are added per body.
_FIXED_PATHS = {
    "email_address": "email",
    "email_address.address": "email",
    "email_address.permission_to_send": "permission_to_send",
    "list_memberships": "list_memberships",
    "taggings": "taggings",
    **{name: name for name in SCALARS},
}


def _offer(form: forms.Form, name: str, choices: Iterable[Choice], blank: str | None = None) -> None:
    """Give the choice field ``name`` the account's lists, tags or segments (and a blank first option)."""
    options = [(c.id, c.name) for c in choices]
    cast(forms.ChoiceField, form.fields[name]).choices = [("", blank), *options] if blank is not None else options


class AccessibleForm(ManagementForm):
    """Focus starts on the first field, or on the first field in error once there are errors.

    Errors are announced (``ManagementForm``'s ``role="alert"`` lists) and tied to their inputs:
    Django points ``aria-describedby`` at ``<id>_error`` and ``<id>_helptext`` and sets
    ``aria-invalid``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._focus()

    def add_error(self, field: str | None, error: Any) -> None:
        """Django's, then move the focus to the first field in error (the API's errors arrive here too)."""
        super().add_error(field, error)
        self._focus()

    def _focus(self) -> None:
        errors = getattr(self, "_errors", None) or {}  # None until the form is first cleaned
        target = next((name for name in self.fields if name in errors), next(iter(self.fields), None))
        for name, form_field in self.fields.items():
            if name == target:
                form_field.widget.attrs["autofocus"] = True
            else:
                form_field.widget.attrs.pop("autofocus", None)


class ContactFilterForm(forms.Form):
    """The list's search and filters, read from the query string (a plain GET form)."""

    email = forms.CharField(
        label="Email",
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "name@example.com", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label="Status", choices=STATUS_FILTERS, required=False)
    # Named as the API's parameters are, so the query string reads like the call it becomes.
    lists = forms.ChoiceField(label="List", required=False)
    tags = forms.ChoiceField(label="Tag", required=False)
    segment_id = forms.ChoiceField(label="Segment", required=False)

    def __init__(
        self, *args: Any, lists: Sequence[Choice], tags: Sequence[Choice], segments: Sequence[Choice], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "lists", lists, "Any list")
        _offer(self, "tags", tags, "Any tag")
        _offer(self, "segment_id", segments, "No segment")

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
        return ContactFilters(
            email=(data.get("email") or "").strip(),
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


def _custom_form_field(definition: Mapping[str, Any]) -> forms.Field:
    """The input for one custom field: checks that need the API's rules (numbers, dates) are left to it."""
    label = str(definition.get("label") or definition.get("name") or "Custom field")
    kind = definition.get("type")
    if kind in SELECT_TYPES:
        options = [(str(c["choice_id"]), c.get("choice_label", "")) for c in definition.get("choices") or []]
        if kind == "multi_select":
            return forms.MultipleChoiceField(
                label=label, choices=options, required=False, widget=forms.CheckboxSelectMultiple
            )
        return forms.ChoiceField(label=label, choices=[("", "—"), *options], required=False)
    attrs = {"inputmode": "decimal"} if kind in ("number", "currency") else {}
    help_text = "MM/DD/YYYY or YYYY-MM-DD" if kind == "date" else ""
    return forms.CharField(
        label=label, max_length=255, required=False, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


def custom_field_name(custom_field_id: str) -> str:
    """The form field name of a custom field (its id without hyphens)."""
    return "custom_field_" + str(custom_field_id).replace("-", "")


class ContactForm(AccessibleForm):
    """Create or edit a contact: email and permission, names, dates, phones, an address, lists, tags, fields.

    Lists, tags and custom fields come from the account (through the client). An edit passes
    ``current``, the contact as the API returned it with every sub-resource: the PUT replaces the
    contact, so what this form does not show (more addresses, notes, SMS) is sent back unchanged.
    """

    email = forms.EmailField(label="Email address", max_length=80, required=False)
    permission_to_send = forms.ChoiceField(label="Email permission", choices=PERMISSIONS, initial="implicit")
    first_name = forms.CharField(label="First name", max_length=50, required=False)
    last_name = forms.CharField(label="Last name", max_length=50, required=False)
    job_title = forms.CharField(label="Job title", max_length=50, required=False)
    company_name = forms.CharField(label="Company", max_length=50, required=False)
    birthday_month = forms.TypedChoiceField(
        label="Birthday month", choices=[("", "—"), *MONTHS], coerce=int, empty_value=None, required=False
    )
    birthday_day = forms.IntegerField(label="Birthday day", min_value=1, max_value=31, required=False)
    # Left as text: the API reads several date spellings and says which it could not.
    anniversary = forms.CharField(
        label="Anniversary", max_length=10, required=False, help_text="MM/DD/YYYY or YYYY-MM-DD"
    )
    address_kind = forms.ChoiceField(label="Address type", choices=ADDRESS_KINDS, initial="home")
    address_street = forms.CharField(label="Street", max_length=255, required=False)
    address_city = forms.CharField(label="City", max_length=50, required=False)
    address_state = forms.CharField(label="State or province", max_length=50, required=False)
    address_postal_code = forms.CharField(label="Postal code", max_length=50, required=False)
    address_country = forms.CharField(label="Country", max_length=50, required=False)
    list_memberships = forms.MultipleChoiceField(label="Lists", required=False, widget=forms.CheckboxSelectMultiple)
    taggings = forms.MultipleChoiceField(label="Tags", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(
        self,
        *args: Any,
        lists: Sequence[Choice],
        tags: Sequence[Choice],
        custom_fields: Sequence[Mapping[str, Any]],
        current: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.current = current
        if current is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(current)
        self.custom_field_ids: dict[str, str] = {}
        super().__init__(*args, **kwargs)
        for slot in range(PHONE_SLOTS):
            self.fields[f"phone_{slot}_number"] = forms.CharField(
                label=f"Phone {slot + 1}", max_length=25, required=False
            )
            self.fields[f"phone_{slot}_kind"] = forms.ChoiceField(
                label=f"Phone {slot + 1} type", choices=PHONE_KINDS, initial="mobile" if slot == 0 else "work"
            )
        _offer(self, "list_memberships", lists)
        _offer(self, "taggings", tags)
        for definition in custom_fields:
            name = custom_field_name(definition["custom_field_id"])
            self.fields[name] = _custom_form_field(definition)
            self.custom_field_ids[name] = str(definition["custom_field_id"])
        if current is not None and (current.get("email_address") or {}).get("address"):
            # Leaving it out of a PUT would not remove it, so an address can be changed, not blanked.
            self.fields["email"].required = True
        self._focus()

    # Groups the template lays out as fieldsets.

    def phone_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(number, type) per phone slot."""
        return [(self[f"phone_{s}_number"], self[f"phone_{s}_kind"]) for s in range(PHONE_SLOTS)]

    def address_fields(self) -> list[forms.BoundField]:
        """The address inputs, type first."""
        return [self["address_kind"], *(self[f"address_{part}"] for part in ADDRESS_PARTS)]

    def custom_field_inputs(self) -> list[forms.BoundField]:
        """One input per custom field of the account."""
        return [self[name] for name in self.custom_field_ids]

    def api_body(self, source_field: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The ``createContact``/``putContact`` body, and which form field each body path came from.

        ``source_field`` is ``create_source`` or ``update_source``. Sub-resources are always sent,
        empty when cleared, because a PUT replaces what it is given.
        """
        data = self.cleaned_data
        paths = dict(_FIXED_PATHS)
        body: dict[str, Any] = {source_field: "Account"}
        if data["email"]:
            body["email_address"] = {"address": data["email"], "permission_to_send": data["permission_to_send"]}
        body.update({name: data[name] for name in SCALARS if data[name] not in (None, "")})
        body["phone_numbers"] = self._phones(paths)
        body["street_addresses"] = self._addresses(paths)
        body["list_memberships"] = list(data["list_memberships"])
        body["taggings"] = list(data["taggings"])
        body["custom_fields"] = self._custom_values(paths)
        current = self.current or {}
        if current.get("notes"):
            body["notes"] = [
                {k: n[k] for k in ("note_id", "created_at", "content") if k in n} for n in current["notes"]
            ]
        sms = current.get("sms_channel")
        if sms:
            body["sms_channel"] = {
                "full_sms_address": sms.get("full_sms_address") or sms.get("sms_address", ""),
                "sms_channel_consents": [
                    {"sms_consent_permission": c["sms_consent_permission"], "consent_type": c["consent_type"]}
                    for c in sms.get("sms_channel_consents") or []
                    if c.get("sms_consent_permission") and c.get("consent_type")
                ],
            }
        return body, paths

    def _phones(self, paths: dict[str, str]) -> list[dict[str, str]]:
        phones: list[dict[str, str]] = []
        for slot in range(PHONE_SLOTS):
            number = self.cleaned_data[f"phone_{slot}_number"].strip()
            if number:
                at = f"phone_numbers.{len(phones)}"
                paths[at] = paths[f"{at}.phone_number"] = f"phone_{slot}_number"
                paths[f"{at}.kind"] = f"phone_{slot}_kind"
                phones.append({"phone_number": number, "kind": self.cleaned_data[f"phone_{slot}_kind"]})
        return phones

    def _addresses(self, paths: dict[str, str]) -> list[dict[str, str]]:
        data = self.cleaned_data
        parts = {part: data[f"address_{part}"].strip() for part in ADDRESS_PARTS}
        shown = [{"kind": data["address_kind"], **{k: v for k, v in parts.items() if v}}] if any(parts.values()) else []
        if shown:
            paths["street_addresses.0"] = "address_street"
            paths.update({f"street_addresses.0.{name}": f"address_{name}" for name in ("kind", *ADDRESS_PARTS)})
        # The form shows the first address only; the others go back as they were.
        kept = [
            {k: a[k] for k in ("kind", *ADDRESS_PARTS) if a.get(k)}
            for a in ((self.current or {}).get("street_addresses") or [])[1:]
        ]
        return shown + kept

    def _custom_values(self, paths: dict[str, str]) -> list[dict[str, Any]]:
        values: list[dict[str, Any]] = []
        for name, custom_field_id in self.custom_field_ids.items():
            value = self.cleaned_data.get(name)
            if not value:
                continue
            paths[f"custom_fields.{len(values)}"] = name
            if isinstance(self.fields[name], forms.MultipleChoiceField):
                values.append({"custom_field_id": custom_field_id, "choice_ids": list(value)})
            elif isinstance(self.fields[name], forms.ChoiceField):
                values.append({"custom_field_id": custom_field_id, "choice_ids": [value]})
            else:
                values.append({"custom_field_id": custom_field_id, "value": value})
        return values


def initial_from(contact: Mapping[str, Any]) -> dict[str, Any]:
    """A contact as the API returned it, as the contact form's initial values."""
    email = contact.get("email_address") or {}
    initial: dict[str, Any] = {name: contact.get(name) for name in SCALARS if contact.get(name) is not None}
    initial["email"] = email.get("address", "")
    initial["permission_to_send"] = email.get("permission_to_send") or "implicit"
    for slot, phone in enumerate((contact.get("phone_numbers") or [])[:PHONE_SLOTS]):
        initial[f"phone_{slot}_number"] = phone.get("phone_number", "")
        initial[f"phone_{slot}_kind"] = phone.get("kind") or "other"
    addresses = contact.get("street_addresses") or []
    if addresses:
        initial["address_kind"] = addresses[0].get("kind") or "home"
        initial.update({f"address_{part}": addresses[0].get(part, "") for part in ADDRESS_PARTS})
    initial["list_memberships"] = [str(i) for i in contact.get("list_memberships") or []]
    initial["taggings"] = [str(i) for i in contact.get("taggings") or []]
    for value in contact.get("custom_fields") or []:
        choice_ids = [str(c) for c in value.get("choice_ids") or []]
        name = custom_field_name(value["custom_field_id"])
        # A single select's initial is one id; the multi select's field takes the list as is.
        initial[name] = choice_ids if choice_ids else value.get("value", "")
    return initial


class ResubscribeForm(AccessibleForm):
    """The lists an unsubscribed contact is asked to rejoin (the API needs at least one)."""

    list_ids = forms.MultipleChoiceField(
        label="Lists to rejoin",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one list."},
    )

    def __init__(self, *args: Any, lists: Sequence[Choice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "list_ids", lists)
