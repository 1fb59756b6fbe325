"""The ``segment_criteria`` grammar: parsing the JSON text into checked, immutable conditions.

The spec shows one example and states the rules in words (a top-level ``and`` group; sources
``tracking`` and ``contact`` combine with ``and``/``or``, ``list_membership`` and ``tags`` with
``or`` only; at most 500 campaigns and 1825 days; at most 20000 characters). The rest of the
grammar is this project's, written down in docs/decisions/contacts.md#segment-criteria-grammar::

    {"version": "1.0.0",
     "criteria": {"type": "and", "group": [<node>, ...]}}

    <node>      = {"type": "and" | "or", "group": [<node>, ...]}
                | {"source": ..., "field": ..., "op": ..., "const_value": ..., "param": ...}

Every problem is a :class:`CriteriaError` (a 400) naming where in the document it is.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from apps.v3.common.text import text_problem
from apps.v3.contacts.models.contacts import PermissionToSend, SmsPermission
from apps.v3.gate.errors import V3Error

MAX_LENGTH = 20000
VERSION = "1.0.0"
# The spec's own evaluation limits: more would be refused by Constant Contact too.
MAX_DAYS = 1825
MAX_CAMPAIGNS = 500
# Limits of this implementation, so one segment cannot become an unbounded query.
MAX_DEPTH = 8
MAX_IDS = 500
MAX_VALUES = 100
MAX_TEXT = 255


class CriteriaError(V3Error):
    """Criteria that do not parse or do not fit the grammar: a 400 naming the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(400, "api.validation.error", f"segment_criteria: {message}")


# --- the vocabulary --------------------------------------------------------------------------

SOURCES = ("contact", "list_membership", "tags", "tracking")

TEXT_OPS = (
    "eq",
    "ne",
    "contains",
    "not-contains",
    "starts-with",
    "ends-with",
    "in",
    "not-in",
    "is-empty",
    "is-not-empty",
)
CHOICE_OPS = ("eq", "ne", "in", "not-in")
NUMBER_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not-in", "is-empty", "is-not-empty")
DATE_COMPARISONS = ("on", "before", "after", "between", "in-last-n-days")
DATE_OPS = (*DATE_COMPARISONS, "is-empty", "is-not-empty")
MEMBERSHIP_OPS = ("contains-any", "contains-none")
TRACKING_OPS = ("contains-any", "contains-all")
TRACKING_FIELDS = ("sent", "opened", "not_opened", "clicked", "not_clicked")
TRACKING_WINDOWS = ("last-n-campaigns", "last-n-days", "campaigns")
# A custom field is named by ``field: "custom_field"`` with its id in ``param``; its values are
# text, and date comparisons read them in the ISO form the contacts service stores dates in.
CUSTOM_FIELD = "custom_field"
CUSTOM_OPS = TEXT_OPS + DATE_COMPARISONS


@dataclass(frozen=True)
class FieldSpec:
    """A contact field criteria may name: its kind decides the operators and value types."""

    kind: str  # text | choice | number | date
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 0


_PERMISSIONS = tuple(PermissionToSend.values)
_SMS_PERMISSIONS = tuple(SmsPermission.values)

# Named as the contact resource names them, so a criteria author greps one name everywhere.
CONTACT_FIELDS: dict[str, FieldSpec] = {
    "email_address": FieldSpec("text"),
    "first_name": FieldSpec("text"),
    "last_name": FieldSpec("text"),
    "job_title": FieldSpec("text"),
    "company_name": FieldSpec("text"),
    "anniversary": FieldSpec("text"),
    "create_source": FieldSpec("text"),
    "update_source": FieldSpec("text"),
    "opt_out_reason": FieldSpec("text"),
    "sms_address": FieldSpec("text"),
    "phone_number": FieldSpec("text"),
    "street_address.street": FieldSpec("text"),
    "street_address.city": FieldSpec("text"),
    "street_address.state": FieldSpec("text"),
    "street_address.postal_code": FieldSpec("text"),
    "street_address.country": FieldSpec("text"),
    "permission_to_send": FieldSpec("choice", choices=_PERMISSIONS),
    "sms_permission": FieldSpec("choice", choices=_SMS_PERMISSIONS),
    "birthday_month": FieldSpec("number", minimum=1, maximum=12),
    "birthday_day": FieldSpec("number", minimum=1, maximum=31),
    "created_at": FieldSpec("date"),
    "updated_at": FieldSpec("date"),
    "opt_in_date": FieldSpec("date"),
    "opt_out_date": FieldSpec("date"),
}

OPS_BY_KIND = {"text": TEXT_OPS, "choice": CHOICE_OPS, "number": NUMBER_OPS, "date": DATE_OPS}


# --- the parsed form -------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One comparison. ``value`` is normalised by op: a str, int, date, or a tuple of them."""

    source: str
    field: str
    op: str
    value: Any = None
    param: Any = None


@dataclass(frozen=True)
class Group:
    """``and``/``or`` over conditions and nested groups."""

    type: str
    items: tuple[Group | Condition, ...]


@dataclass(frozen=True)
class Criteria:
    """A parsed, valid ``segment_criteria`` document."""

    version: str
    root: Group


# --- parsing -----------------------------------------------------------------------------------


def validate_criteria(text: Any) -> Criteria:
    """Parse and check ``segment_criteria`` text; raise :class:`CriteriaError` on any problem."""
    if not isinstance(text, str):
        raise CriteriaError("must be a string holding JSON")
    if len(text) > MAX_LENGTH:
        raise CriteriaError(f"longer than {MAX_LENGTH} characters")
    return _parse_cached(text)


@lru_cache(maxsize=512)
def _parse_cached(text: str) -> Criteria:
    # Cached because the same stored text is parsed on every evaluation; the result is immutable.
    try:
        document = json.loads(text)
    except RecursionError:
        raise CriteriaError(f"nested deeper than {MAX_DEPTH} groups") from None
    except ValueError as exc:
        raise CriteriaError(f"not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise CriteriaError("must be a JSON object")
    _only_keys(document, {"version", "criteria"}, "")
    version = document.get("version", VERSION)
    if version != VERSION:
        raise CriteriaError(f"version: {version!r} is not supported; use {VERSION!r}")
    if "criteria" not in document:
        raise CriteriaError("criteria: is required")
    root = _group(document["criteria"], "criteria", depth=1)
    if root.type != "and":
        raise CriteriaError("criteria.type: the top-level group must be 'and'")
    return Criteria(version=VERSION, root=root)


def _only_keys(node: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(node) - allowed)
    if unknown:
        prefix = f"{where}: " if where else ""
        raise CriteriaError(f"{prefix}unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _group(node: Any, where: str, depth: int) -> Group:
    if depth > MAX_DEPTH:
        raise CriteriaError(f"{where}: nested deeper than {MAX_DEPTH} groups")
    if not isinstance(node, dict):
        raise CriteriaError(f"{where}: must be an object with 'type' and 'group'")
    _only_keys(node, {"type", "group"}, where)
    kind = node.get("type")
    if kind not in ("and", "or"):
        raise CriteriaError(f"{where}.type: {kind!r} is not 'and' or 'or'")
    members = node.get("group")
    if not isinstance(members, list) or not members:
        raise CriteriaError(f"{where}.group: must be a non-empty array")
    items: list[Group | Condition] = []
    for i, member in enumerate(members):
        at = f"{where}.group[{i}]"
        if isinstance(member, dict) and "source" in member:
            items.append(_condition(member, at))
        else:
            items.append(_group(member, at, depth + 1))
    if kind == "and":
        _or_only_sources(items, where)
    return Group(type=kind, items=tuple(items))


def _or_only_sources(items: list[Group | Condition], where: str) -> None:
    """``list_membership`` and ``tags`` combine only with ``or`` (one such condition per ``and``)."""
    for source in ("list_membership", "tags"):
        if sum(1 for item in items if isinstance(item, Condition) and item.source == source) > 1:
            raise CriteriaError(
                f"{where}: {source} conditions combine only with 'or'; list several ids in one condition "
                "or put the conditions in an 'or' group"
            )


def _condition(node: dict[str, Any], where: str) -> Condition:
    _only_keys(node, {"source", "field", "op", "const_value", "param"}, where)
    source = node["source"]
    if source not in SOURCES:
        raise CriteriaError(f"{where}.source: {source!r} is not one of {', '.join(SOURCES)}")
    field = node.get("field")
    if not isinstance(field, str) or not field:
        raise CriteriaError(f"{where}.field: is required")
    op = node.get("op")
    if not isinstance(op, str) or not op:
        raise CriteriaError(f"{where}.op: is required")
    parser = {
        "contact": _contact_condition,
        "list_membership": _membership_condition,
        "tags": _membership_condition,
        "tracking": _tracking_condition,
    }[source]
    return parser(node, where, source, field, op)


def _check_op(op: str, allowed: tuple[str, ...], where: str, what: str) -> None:
    if op not in allowed:
        raise CriteriaError(f"{where}.op: {op!r} is not an operator for {what}; use one of {', '.join(allowed)}")


def _contact_condition(node: dict[str, Any], where: str, source: str, field: str, op: str) -> Condition:
    if field == CUSTOM_FIELD:
        _check_op(op, CUSTOM_OPS, where, "a custom field")
        param = _uuid(node.get("param"), f"{where}.param")
        kind = "date" if op in DATE_COMPARISONS else "text"
        value = _operand(kind, FieldSpec(kind), op, node, where)
        return Condition(source, field, op, value, param)
    spec = CONTACT_FIELDS.get(field)
    if spec is None:
        raise CriteriaError(
            f"{where}.field: {field!r} is not a contact field; use one of "
            f"{', '.join(CONTACT_FIELDS)} or {CUSTOM_FIELD!r} with the custom_field_id in 'param'"
        )
    _check_op(op, OPS_BY_KIND[spec.kind], where, f"contact field {field}")
    if "param" in node:
        raise CriteriaError(f"{where}.param: not used by contact field {field}")
    return Condition(source, field, op, _operand(spec.kind, spec, op, node, where))


def _operand(kind: str, spec: FieldSpec, op: str, node: dict[str, Any], where: str) -> Any:
    at = f"{where}.const_value"
    raw = node.get("const_value")
    if op in ("is-empty", "is-not-empty"):
        if raw is not None:
            raise CriteriaError(f"{at}: {op} takes no value")
        return None
    if raw is None:
        raise CriteriaError(f"{at}: is required for {op}")
    if op in ("in", "not-in"):
        if not isinstance(raw, list) or not raw or len(raw) > MAX_VALUES:
            raise CriteriaError(f"{at}: {op} takes an array of 1 to {MAX_VALUES} values")
        return tuple(_scalar(kind, spec, item, f"{at}[{i}]") for i, item in enumerate(raw))
    if op == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            raise CriteriaError(f"{at}: between takes an array of two dates [first, last]")
        first, last = (_date(item, f"{at}[{i}]") for i, item in enumerate(raw))
        if first > last:
            raise CriteriaError(f"{at}: the first date is after the last")
        if (last - first).days > MAX_DAYS:
            raise CriteriaError(f"{at}: the range spans more than {MAX_DAYS} days")
        return (first, last)
    if op == "in-last-n-days":
        return _count(raw, at, MAX_DAYS, "days")
    if kind == "date":
        return _date(raw, at)
    return _scalar(kind, spec, raw, at)


def _scalar(kind: str, spec: FieldSpec, raw: Any, at: str) -> Any:
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise CriteriaError(f"{at}: {raw!r} is not an integer")
        if not spec.minimum <= raw <= spec.maximum:
            raise CriteriaError(f"{at}: {raw} is not between {spec.minimum} and {spec.maximum}")
        return raw
    if not isinstance(raw, str):
        raise CriteriaError(f"{at}: {raw!r} is not a string")
    problem = text_problem(raw)
    if problem:
        raise CriteriaError(f"{at}: {problem}")
    if kind == "choice" and raw not in spec.choices:
        raise CriteriaError(f"{at}: {raw!r} is not one of {', '.join(spec.choices)}")
    if len(raw) > MAX_TEXT:
        raise CriteriaError(f"{at}: longer than {MAX_TEXT} characters")
    return raw


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(raw: Any, at: str) -> date:
    if isinstance(raw, str) and _DATE.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise CriteriaError(f"{at}: {raw!r} is not a date (YYYY-MM-DD)")


def _count(raw: Any, at: str, maximum: int, unit: str) -> int:
    """A positive count given as an integer or a string of digits (the spec's example uses "5")."""
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= maximum:
        raise CriteriaError(f"{at}: must be a whole number of {unit} from 1 to {maximum}")
    return raw


def _uuid(raw: Any, at: str) -> uuid.UUID:
    if isinstance(raw, str):
        try:
            return uuid.UUID(raw)
        except ValueError:
            pass
    raise CriteriaError(f"{at}: {raw!r} is not a UUID")


def _membership_condition(node: dict[str, Any], where: str, source: str, field: str, op: str) -> Condition:
    expected = "list_id" if source == "list_membership" else "tag_id"
    if field != expected:
        raise CriteriaError(f"{where}.field: {source} conditions compare {expected!r}, not {field!r}")
    _check_op(op, MEMBERSHIP_OPS, where, source)
    if "param" in node:
        raise CriteriaError(f"{where}.param: not used by {source}")
    raw = node.get("const_value")
    at = f"{where}.const_value"
    if not isinstance(raw, list) or not raw or len(raw) > MAX_IDS:
        raise CriteriaError(f"{at}: must be an array of 1 to {MAX_IDS} {expected} values")
    ids = tuple(dict.fromkeys(_uuid(item, f"{at}[{i}]") for i, item in enumerate(raw)))
    return Condition(source, field, op, ids)


def _tracking_condition(node: dict[str, Any], where: str, source: str, field: str, op: str) -> Condition:
    if field not in TRACKING_FIELDS:
        raise CriteriaError(
            f"{where}.field: {field!r} is not a tracking field; use one of {', '.join(TRACKING_FIELDS)}"
        )
    _check_op(op, TRACKING_OPS, where, "tracking")
    window = node.get("const_value")
    if window not in TRACKING_WINDOWS:
        raise CriteriaError(f"{where}.const_value: {window!r} is not one of {', '.join(TRACKING_WINDOWS)}")
    at = f"{where}.param"
    raw = node.get("param")
    param: Any
    if window == "last-n-campaigns":
        param = _count(raw, at, MAX_CAMPAIGNS, "campaigns")
    elif window == "last-n-days":
        param = _count(raw, at, MAX_DAYS, "days")
    else:
        items = raw if isinstance(raw, list) else (raw.split(",") if isinstance(raw, str) else None)
        if not items or len(items) > MAX_CAMPAIGNS:
            raise CriteriaError(f"{at}: campaigns takes 1 to {MAX_CAMPAIGNS} campaign ids")
        param = tuple(dict.fromkeys(_uuid(item.strip() if isinstance(item, str) else item, at) for item in items))
    return Condition(source, field, op, window, param)
