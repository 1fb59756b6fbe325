"""The segment criteria builder: rows of (source, field, operator, value) to ``segment_criteria`` and back.

The grammar is the V3 service's (docs/decisions.md, "Lists, tags and segments"); the dashboard never
imports the service, so the vocabulary it offers is written down here. The API stays the judge:
whatever it refuses comes back as an error the builder shows at the row it names.

A builder holds flat rows joined by one choice, *all* or *any*::

    all -> {"version": "1.0.0", "criteria": {"type": "and", "group": [row, row, ...]}}
    any -> {"version": "1.0.0", "criteria": {"type": "and", "group": [{"type": "or", "group": [row, ...]}]}}

(the top-level group must be ``and``, so *any* nests one ``or`` group). Criteria of any other shape
(nested groups, tracking conditions, several ids in one membership condition), written through the
API by someone else, cannot be shown as rows: :func:`from_criteria` raises :class:`NotBuildable`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CONTACT_CHOICES",
    "CONTACT_FIELDS",
    "CUSTOM_FIELD_KINDS",
    "MATCH_ALL",
    "MATCH_ANY",
    "NotBuildable",
    "Row",
    "SOURCES",
    "condition_error",
    "describe",
    "from_criteria",
    "is_date_op",
    "operators_for",
    "takes_value",
    "to_criteria",
    "value_hint",
]

VERSION = "1.0.0"
MATCH_ALL = "all"
MATCH_ANY = "any"

CONTACT = "contact"
CUSTOM_FIELD = "custom_field"
LIST_MEMBERSHIP = "list_membership"
TAGS = "tags"
# The builder's sources: a custom field is its own source here, though the grammar spells it as
# ``source: contact, field: custom_field, param: <id>``, because people look for it by its label.
SOURCES: dict[str, str] = {
    CONTACT: "Contact field",
    CUSTOM_FIELD: "Custom field",
    LIST_MEMBERSHIP: "List membership",
    TAGS: "Tag",
}


@dataclass(frozen=True)
class ContactField:
    """A contact field the grammar compares: its label and kind (which decides the operators)."""

    label: str
    kind: str  # text | choice | number | date


CONTACT_FIELDS: dict[str, ContactField] = {
    "email_address": ContactField("Email address", "text"),
    "first_name": ContactField("First name", "text"),
    "last_name": ContactField("Last name", "text"),
    "job_title": ContactField("Job title", "text"),
    "company_name": ContactField("Company", "text"),
    "phone_number": ContactField("Phone number", "text"),
    "sms_address": ContactField("SMS number", "text"),
    "street_address.street": ContactField("Street", "text"),
    "street_address.city": ContactField("City", "text"),
    "street_address.state": ContactField("State or province", "text"),
    "street_address.postal_code": ContactField("Postal code", "text"),
    "street_address.country": ContactField("Country", "text"),
    "anniversary": ContactField("Anniversary", "text"),
    "create_source": ContactField("Created by", "text"),
    "update_source": ContactField("Updated by", "text"),
    "opt_out_reason": ContactField("Opt-out reason", "text"),
    "permission_to_send": ContactField("Email permission", "choice"),
    "sms_permission": ContactField("SMS permission", "choice"),
    "birthday_month": ContactField("Birthday month", "number"),
    "birthday_day": ContactField("Birthday day", "number"),
    "created_at": ContactField("Date added", "date"),
    "updated_at": ContactField("Date updated", "date"),
    "opt_in_date": ContactField("Opt-in date", "date"),
    "opt_out_date": ContactField("Opt-out date", "date"),
}

OPERATOR_LABELS: dict[str, str] = {
    "eq": "is",
    "ne": "is not",
    "contains": "contains",
    "not-contains": "does not contain",
    "starts-with": "starts with",
    "ends-with": "ends with",
    "in": "is one of",
    "not-in": "is none of",
    "gt": "is more than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "on": "is on",
    "before": "is before",
    "after": "is after",
    "between": "is between",
    "in-last-n-days": "is in the last N days",
    "is-empty": "is empty",
    "is-not-empty": "is not empty",
}
MEMBERSHIP_LABELS: dict[str, dict[str, str]] = {
    LIST_MEMBERSHIP: {"contains-any": "is a member of", "contains-none": "is not a member of"},
    TAGS: {"contains-any": "has the tag", "contains-none": "does not have the tag"},
}

_TEXT_OPS = ("eq", "ne", "contains", "not-contains", "starts-with", "ends-with", "in", "not-in")
_EMPTY_OPS = ("is-empty", "is-not-empty")
_DATE_COMPARISONS = ("on", "before", "after", "between", "in-last-n-days")
OPERATORS_BY_KIND: dict[str, tuple[str, ...]] = {
    "text": (*_TEXT_OPS, *_EMPTY_OPS),
    "choice": ("eq", "ne", "in", "not-in"),
    "number": ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not-in", *_EMPTY_OPS),
    "date": (*_DATE_COMPARISONS, *_EMPTY_OPS),
    # Custom field values are text; the date comparisons read values stored as ISO dates. The
    # grammar takes all of these for any custom field; the builder offers those that fit its type.
    "custom": (*_TEXT_OPS, *_EMPTY_OPS, *_DATE_COMPARISONS),
    "custom_number": ("eq", "ne", "in", "not-in", *_EMPTY_OPS),
    "custom_choice": ("eq", "ne", "in", "not-in", *_EMPTY_OPS),
    # A checkbox field's value lists the chosen labels, so a choice is looked for in it.
    "custom_choices": ("contains", "not-contains", *_EMPTY_OPS),
    "membership": ("contains-any", "contains-none"),
}
# A custom field's type (the API's ``type``) to its operator family; an unknown type gets them all.
CUSTOM_FIELD_KINDS: dict[str, str] = {
    "string": "text",
    "number": "custom_number",
    "currency": "custom_number",
    "date": "date",
    "single_select": "custom_choice",
    "multi_select": "custom_choices",
}
# Values the contact choice fields take, as the spec spells them, with their words.
CONTACT_CHOICES: dict[str, list[tuple[str, str]]] = {
    "permission_to_send": [
        ("implicit", "Implicit"),
        ("explicit", "Explicit"),
        ("pending_confirmation", "Pending confirmation"),
        ("unsubscribed", "Unsubscribed"),
        ("temp_hold", "Temporary hold"),
        ("not_set", "Not set"),
    ],
    "sms_permission": [
        ("explicit", "Explicit"),
        ("unsubscribed", "Unsubscribed"),
        ("pending_confirmation", "Pending confirmation"),
        ("not_set", "Not set"),
    ],
}
# Operators whose value is a comma-separated list in the builder and a JSON array on the wire.
_LIST_VALUED = ("in", "not-in", "between")


@dataclass(frozen=True)
class Row:
    """One builder condition, as the person typed it.

    ``field`` is a contact field name, or the id of the custom field, list or tag; ``value`` is the
    text of the value box (empty for operators that take none, and for list and tag rows, whose
    field is the value).
    """

    source: str
    field: str
    op: str
    value: str = ""


class NotBuildable(ValueError):
    """Criteria the builder cannot show as rows (the message says why)."""


# --- vocabulary -----------------------------------------------------------------------------


def kind_of(source: str, field: str, custom_type: str = "") -> str:
    """The operator family for a row's source and field (``custom_type``: a custom field's type)."""
    if source in (LIST_MEMBERSHIP, TAGS):
        return "membership"
    if source == CUSTOM_FIELD:
        return CUSTOM_FIELD_KINDS.get(custom_type, "custom")
    spec = CONTACT_FIELDS.get(field)
    return spec.kind if spec else "text"


def operators_for(source: str, field: str, custom_type: str = "") -> list[tuple[str, str]]:
    """The (operator, label) choices for a row's source and field (``custom_type``: a custom field's type)."""
    kind = kind_of(source, field, custom_type)
    if kind == "membership":
        return list(MEMBERSHIP_LABELS[source].items())
    return [(op, OPERATOR_LABELS[op]) for op in OPERATORS_BY_KIND[kind]]


def is_date_op(op: str) -> bool:
    """Whether the operator compares one date (a date picker's value)."""
    return op in ("on", "before", "after")


def takes_value(source: str, op: str) -> bool:
    """Whether a row needs the value box: list and tag rows name their id in the field instead."""
    return source not in (LIST_MEMBERSHIP, TAGS) and op not in _EMPTY_OPS


# Values the choice fields take, as the spec spells them.
_CHOICES = {
    "permission_to_send": "implicit, explicit, pending_confirmation, unsubscribed, temp_hold or not_set",
    "sms_permission": "explicit, unsubscribed, pending_confirmation or not_set",
}
_NUMBER_RANGES = {"birthday_month": "A month number, 1 to 12.", "birthday_day": "A day of the month, 1 to 31."}


def value_hint(source: str, field: str, op: str) -> str:
    """How to write a row's value for its operator and field ("" when nothing needs saying)."""
    if not takes_value(source, op):
        return ""
    if op == "between":
        return "Two dates, first and last: 2024-01-01, 2024-03-31."
    if op == "in-last-n-days":
        return "A number of days, up to 1825."
    if op in ("on", "before", "after"):
        return "A date: YYYY-MM-DD."
    hint = "Separate values with commas. " if op in ("in", "not-in") else ""
    if source == CONTACT and field in _CHOICES:
        return f"{hint}One of {_CHOICES[field]}."
    if source == CONTACT and field in _NUMBER_RANGES:
        return f"{hint}{_NUMBER_RANGES[field]}"
    return hint.strip()


def describe(row: Row, names: dict[str, str]) -> str:
    """A row in words ("Email address contains gmail"), naming lists, tags and custom fields by ``names``."""
    if row.source in (LIST_MEMBERSHIP, TAGS):
        verb = MEMBERSHIP_LABELS[row.source].get(row.op, row.op)
        return f"{verb} {names.get(row.field, row.field)}"
    if row.source == CUSTOM_FIELD:
        subject = names.get(row.field, "a custom field")
    else:
        spec = CONTACT_FIELDS.get(row.field)
        subject = spec.label if spec else row.field
    operator = OPERATOR_LABELS.get(row.op, row.op)
    return f"{subject} {operator} {row.value}".strip()


# --- rows to criteria -----------------------------------------------------------------------


def _number_or_text(text: str) -> int | str:
    """Digits become a number (birthday months, day counts); anything else is left for the API to judge."""
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else stripped


def _const_value(row: Row) -> Any:
    kind = kind_of(row.source, row.field)
    if row.op in _LIST_VALUED:
        items = [item.strip() for item in row.value.split(",") if item.strip()]
        return [_number_or_text(item) for item in items] if kind == "number" else items
    if row.op == "in-last-n-days" or kind == "number":
        return _number_or_text(row.value)
    return row.value.strip()


def condition(row: Row) -> dict[str, Any]:
    """The grammar's condition object for one row."""
    if row.source in (LIST_MEMBERSHIP, TAGS):
        field = "list_id" if row.source == LIST_MEMBERSHIP else "tag_id"
        return {"source": row.source, "field": field, "op": row.op, "const_value": [row.field]}
    node: dict[str, Any] = {"source": CONTACT, "field": row.field, "op": row.op}
    if row.source == CUSTOM_FIELD:
        node["field"] = CUSTOM_FIELD
        node["param"] = row.field
    if takes_value(row.source, row.op):
        node["const_value"] = _const_value(row)
    return node


def to_criteria(rows: list[Row], match: str) -> str:
    """The ``segment_criteria`` JSON text for the builder's rows joined by ``match`` (all/any)."""
    conditions = [condition(row) for row in rows]
    group = conditions if match == MATCH_ALL else [{"type": "or", "group": conditions}]
    return json.dumps({"version": VERSION, "criteria": {"type": "and", "group": group}})


# --- criteria to rows -----------------------------------------------------------------------


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _row(node: Any) -> Row:
    if not isinstance(node, dict) or "source" not in node:
        raise NotBuildable("it nests groups of conditions")
    source, field, op = node.get("source"), node.get("field"), node.get("op")
    if not isinstance(field, str) or not isinstance(op, str):
        raise NotBuildable("a condition has no field or operator")
    if source in (LIST_MEMBERSHIP, TAGS):
        ids = node.get("const_value")
        if not isinstance(ids, list) or len(ids) != 1:
            raise NotBuildable("a list or tag condition names several ids at once")
        return Row(source, str(ids[0]), op)
    if source != CONTACT:
        raise NotBuildable(f"it uses {source} conditions")
    value = _value_text(node.get("const_value"))
    if field == CUSTOM_FIELD:
        return Row(CUSTOM_FIELD, str(node.get("param", "")), op, value)
    return Row(CONTACT, field, op, value)


def from_criteria(text: str) -> tuple[str, list[Row]]:
    """``(match, rows)`` for criteria the builder wrote (or could have); NotBuildable otherwise."""
    try:
        document = json.loads(text)
    except (TypeError, ValueError):
        raise NotBuildable("it is not JSON") from None
    root = document.get("criteria") if isinstance(document, dict) else None
    if not isinstance(root, dict) or root.get("type") != "and" or not isinstance(root.get("group"), list):
        raise NotBuildable("its top-level group is not an 'and' group")
    group = root["group"]
    if len(group) == 1 and isinstance(group[0], dict) and group[0].get("type") == "or":
        members = group[0].get("group")
        if not isinstance(members, list) or not members:
            raise NotBuildable("its 'or' group is empty")
        return MATCH_ANY, [_row(node) for node in members]
    if not group:
        raise NotBuildable("it has no conditions")
    return MATCH_ALL, [_row(node) for node in group]


# --- errors back to rows --------------------------------------------------------------------

# The service names the place of a problem: "segment_criteria: criteria.group[1].op: ..."
_PLACE = {
    MATCH_ALL: re.compile(r"^(?:segment_criteria: )?criteria\.group\[(\d+)\](?:\.(\w+))?(?:\[\d+\])?: (.*)$"),
    MATCH_ANY: re.compile(
        r"^(?:segment_criteria: )?criteria\.group\[0\]\.group\[(\d+)\](?:\.(\w+))?(?:\[\d+\])?: (.*)$"
    ),
}
# The grammar's key names as the builder's columns.
_COLUMN = {"source": "source", "field": "field", "param": "field", "op": "op", "const_value": "value"}


def condition_error(message: str, match: str) -> tuple[int, str, str] | None:
    """``(row index, builder column, message)`` when an API error names one row's part; else None."""
    found = _PLACE[match].match(message)
    if found is None:
        return None
    index, key, detail = found.groups()
    return int(index), _COLUMN.get(key or "", "value"), detail
