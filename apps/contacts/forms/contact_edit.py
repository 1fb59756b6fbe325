"""The contact create/edit form: email, SMS, names, dates, phones, addresses, lists, tags and custom fields.

The form turns its cleaned data into the V3 body (``ContactForm.api_body``) and says which body
path each of its fields becomes, so the API's validation messages can be shown at the field that
caused them (``ctctdash.pages.add_api_errors``).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from ctctdash.pages import AccessibleForm, Choice, offer

__all__ = ["ContactForm", "custom_field_name", "initial_from"]

# Email permission as the API spells it, worded for the people choosing it.
PERMISSIONS = [
    ("implicit", "Implicit: an existing customer or business contact"),
    ("explicit", "Explicit: they asked to receive email"),
    ("not_set", "Not set"),
    ("pending_confirmation", "Pending confirmation"),
    ("temp_hold", "Temporary hold"),
    ("unsubscribed", "Unsubscribed"),
]
# SMS permission (``sms_consent_permission``) as the API spells it.
SMS_PERMISSIONS = [
    ("not_set", "Not set"),
    ("explicit", "Explicit: they asked to receive SMS"),
    ("pending_confirmation", "Pending confirmation"),
    ("unsubscribed", "Unsubscribed"),
]
# The spec's only consent type for now.
SMS_CONSENT_TYPE = "promotional_sms"
PHONE_KINDS = [("home", "Home"), ("work", "Work"), ("mobile", "Mobile"), ("other", "Other")]
ADDRESS_KINDS = [("home", "Home"), ("work", "Work"), ("other", "Other")]
PHONE_SLOTS = 3  # the API's maximum per contact
ADDRESS_SLOTS = 3  # likewise
# Each part's maxLength in the spec: given to the input so a browser stops there, and otherwise
# left to the API, whose message names the address and the part.
ADDRESS_PARTS = {"street": 255, "city": 50, "state": 50, "postal_code": 50, "country": 50}
ADDRESS_LABELS = {
    "street": "Street",
    "city": "City",
    "state": "State or province",
    "postal_code": "Postal code",
    "country": "Country",
}
SCALARS = ("first_name", "last_name", "job_title", "company_name", "birthday_month", "birthday_day", "anniversary")
MONTHS = [(n, calendar.month_name[n]) for n in range(1, 13)]
SELECT_TYPES = ("single_select", "multi_select")
# Body paths the form always has; phones, addresses and custom fields are added per body.
_FIXED_PATHS = {
    "email_address": "email",
    "email_address.address": "email",
    "email_address.permission_to_send": "permission_to_send",
    "sms_channel": "sms_number",
    "sms_channel.full_sms_address": "sms_number",
    "sms_channel.sms_channel_consents": "sms_permission",
    "list_memberships": "list_memberships",
    "taggings": "taggings",
    **{name: name for name in SCALARS},
}


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


def sms_of(contact: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The contact's SMS number (``full_sms_address`` or ``sms_address``, however the server names it)
    and its first consent ({} without one)."""
    channel = contact.get("sms_channel") or {}
    consents = channel.get("sms_channel_consents") or [{}]
    return str(channel.get("full_sms_address") or channel.get("sms_address") or ""), consents[0]


class ContactForm(AccessibleForm):
    """Create or edit a contact: email, SMS, names, dates, phones, addresses, lists, tags, fields.

    Lists, tags and custom fields come from the account (through the client). An edit passes
    ``current``, the contact as the API returned it. The PUT replaces the top-level fields and each
    sub-resource the body has; the body leaves out notes (edited on the contact's page), so they stay.
    """

    email = forms.EmailField(label="Email address", max_length=80, required=False)
    permission_to_send = forms.ChoiceField(label="Email permission", choices=PERMISSIONS, initial="implicit")
    # Left to the API: it reads punctuation and says what it wants (4 to 15 digits with the dial code).
    sms_number = forms.CharField(
        label="SMS number", max_length=50, required=False, help_text="With the country's dial code: 15551234567."
    )
    sms_permission = forms.ChoiceField(
        label="SMS permission",
        choices=SMS_PERMISSIONS,
        initial="not_set",
        help_text="Explicit only when the contact asked for SMS themselves. The consent is dated when the "
        "number or the permission changes.",
    )
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
        self._add_slots()
        offer(self, "list_memberships", lists)
        offer(self, "taggings", tags)
        for definition in custom_fields:
            name = custom_field_name(definition["custom_field_id"])
            self.fields[name] = _custom_form_field(definition)
            self.custom_field_ids[name] = str(definition["custom_field_id"])
        if current is not None and (current.get("email_address") or {}).get("address"):
            # Leaving it out of a PUT would not remove it, so an address can be changed, not blanked.
            self.fields["email"].required = True
        if current is not None and sms_of(current)[0]:
            # The same for the SMS number: the API has no way to take it off a contact.
            self.fields["sms_number"].required = True
        self._focus()

    def _add_slots(self) -> None:
        for slot in range(PHONE_SLOTS):
            self.fields[f"phone_{slot}_number"] = forms.CharField(
                label=f"Phone {slot + 1}", max_length=25, required=False
            )
            self.fields[f"phone_{slot}_kind"] = forms.ChoiceField(
                label=f"Phone {slot + 1} type", choices=PHONE_KINDS, initial="mobile" if slot == 0 else "work"
            )
        for slot in range(ADDRESS_SLOTS):
            self.fields[f"address_{slot}_kind"] = forms.ChoiceField(
                label=f"Address {slot + 1} type", choices=ADDRESS_KINDS, initial=ADDRESS_KINDS[slot][0]
            )
            for part, limit in ADDRESS_PARTS.items():
                self.fields[f"address_{slot}_{part}"] = forms.CharField(
                    label=ADDRESS_LABELS[part], required=False, widget=forms.TextInput(attrs={"maxlength": limit})
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        number = cleaned.get("sms_number")  # None when the field already has its own error
        if number is not None and not number.strip() and cleaned.get("sms_permission") not in (None, "not_set"):
            self.add_error("sms_number", "Give the number this SMS permission is for.")
        return cleaned

    # Groups the template lays out as fieldsets.

    def phone_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(number, type) per phone slot."""
        return [(self[f"phone_{s}_number"], self[f"phone_{s}_kind"]) for s in range(PHONE_SLOTS)]

    def address_groups(self) -> list[list[forms.BoundField]]:
        """The inputs of each address slot, type first."""
        return [
            [self[f"address_{s}_kind"], *(self[f"address_{s}_{part}"] for part in ADDRESS_PARTS)]
            for s in range(ADDRESS_SLOTS)
        ]

    def sms_consent(self) -> dict[str, Any]:
        """The current SMS consent as the API returned it ({} for a new contact or one without SMS)."""
        return sms_of(self.current)[1] if self.current else {}

    def custom_field_inputs(self) -> list[forms.BoundField]:
        """One input per custom field of the account."""
        return [self[name] for name in self.custom_field_ids]

    def api_body(self, source_field: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The ``createContact``/``putContact`` body, and which form field each body path came from.

        ``source_field`` is ``create_source`` or ``update_source``. Sub-resources the form shows are
        always sent, empty when cleared, because a PUT replaces what it is given.
        """
        data = self.cleaned_data
        paths = dict(_FIXED_PATHS)
        body: dict[str, Any] = {source_field: "Account"}
        if data["email"]:
            body["email_address"] = {"address": data["email"], "permission_to_send": data["permission_to_send"]}
        if data["sms_number"].strip():
            body["sms_channel"] = {
                "full_sms_address": data["sms_number"].strip(),
                "sms_channel_consents": [
                    {"sms_consent_permission": data["sms_permission"], "consent_type": SMS_CONSENT_TYPE}
                ],
            }
        body.update({name: data[name] for name in SCALARS if data[name] not in (None, "")})
        body["phone_numbers"] = self._phones(paths)
        body["street_addresses"] = self._addresses(paths)
        body["list_memberships"] = list(data["list_memberships"])
        body["taggings"] = list(data["taggings"])
        body["custom_fields"] = self._custom_values(paths)
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
        addresses: list[dict[str, str]] = []
        for slot in range(ADDRESS_SLOTS):
            parts = {part: self.cleaned_data[f"address_{slot}_{part}"].strip() for part in ADDRESS_PARTS}
            if not any(parts.values()):
                continue
            at = f"street_addresses.{len(addresses)}"
            paths[at] = f"address_{slot}_street"
            paths.update({f"{at}.{name}": f"address_{slot}_{name}" for name in ("kind", *ADDRESS_PARTS)})
            addresses.append(
                {"kind": self.cleaned_data[f"address_{slot}_kind"], **{k: v for k, v in parts.items() if v}}
            )
        return addresses

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
    sms_number, consent = sms_of(contact)
    initial["sms_number"] = sms_number
    initial["sms_permission"] = consent.get("sms_consent_permission") or "not_set"
    for slot, phone in enumerate((contact.get("phone_numbers") or [])[:PHONE_SLOTS]):
        initial[f"phone_{slot}_number"] = phone.get("phone_number", "")
        initial[f"phone_{slot}_kind"] = phone.get("kind") or "other"
    for slot, address in enumerate((contact.get("street_addresses") or [])[:ADDRESS_SLOTS]):
        initial[f"address_{slot}_kind"] = address.get("kind") or "home"
        initial.update({f"address_{slot}_{part}": address.get(part, "") for part in ADDRESS_PARTS})
    initial["list_memberships"] = [str(i) for i in contact.get("list_memberships") or []]
    initial["taggings"] = [str(i) for i in contact.get("taggings") or []]
    for value in contact.get("custom_fields") or []:
        choice_ids = [str(c) for c in value.get("choice_ids") or []]
        name = custom_field_name(value["custom_field_id"])
        # A single select's initial is one id; the multi select's field takes the list as is.
        initial[name] = choice_ids if choice_ids else value.get("value", "")
    return initial
