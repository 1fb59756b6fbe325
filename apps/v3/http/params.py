"""Query parameters parsed by the spec's own declaration of each operation, and resource ids from the path.

Every endpoint calls :func:`parse_query` with its operation id, so types, formats, enums, limits
and required-ness come from the contract, and a bad value is a 400 naming the parameter. A path id
that cannot name a resource (:func:`path_uuid`, :func:`path_int`) is the operation's declared 400,
or 404 where it declares none (docs/decisions/gate-and-oauth.md#path-ids-and-non-json-bodies).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.http import QueryDict
from django.utils.dateparse import parse_date, parse_datetime

from apps.v3.common.text import text_problem
from apps.v3.contract import operation_by_id
from apps.v3.gate.errors import bad_request, not_found

# Accepted by every paged listing although the spec lists it only inside `_links.next.href`.
CURSOR = "cursor"
# Integer path ids (segment_id) are int32 in the spec, and ids start at 1.
MAX_INT32 = 2**31 - 1


def _fail(name: str, problem: str) -> Exception:
    return bad_request(f"{name}: {problem}", key="api.validation.error")


def declares(operation_id: str, status: str) -> bool:
    """Whether the spec lists ``status`` among the operation's responses."""
    return status in operation_by_id(operation_id).responses


def _bad_path_id(operation_id: str, name: str, raw: str, expected: str) -> Exception:
    """A path id that cannot name a resource: the caller's error (400) where declared, else simply not found."""
    problem = f"{raw!r} is not {expected}"
    if declares(operation_id, "400"):
        return _fail(name, problem)
    return not_found(f"{name}: {problem}, so it names no resource")


def path_uuid(operation_id: str, name: str, raw: str) -> uuid.UUID:
    """The UUID path id ``name`` (any case); malformed: 400 where the operation declares it, else 404."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise _bad_path_id(operation_id, name, raw, "a UUID") from None


def path_int(operation_id: str, name: str, raw: str) -> int:
    """The int32 path id ``name`` (1 or more); malformed: 400 where the operation declares it, else 404."""
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_INT32:
        return int(raw)
    raise _bad_path_id(operation_id, name, raw, f"an id from 1 to {MAX_INT32}")


def _parse_datetime(name: str, raw: str) -> datetime:
    # Django's parsers answer None for what is not shaped like a date, and raise ValueError for
    # what is shaped like one but does not exist (February 30, hour 25, offset +25:00).
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a literal '+' arrives as a space if unencoded
        d = parse_date(raw) if value is None else None
    except ValueError:
        raise _fail(name, f"{raw!r} is not a date-time that exists") from None
    if value is None:
        if d is None:
            raise _fail(name, f"{raw!r} is not an ISO-8601 date-time")
        value = datetime(d.year, d.month, d.day)
    if value.tzinfo is None:
        from django.utils import timezone

        value = timezone.make_aware(value, timezone.get_fixed_timezone(0))
    return value


def _parse_scalar(param: dict[str, Any], raw: str) -> Any:
    name, kind, fmt = param["name"], param.get("type", "string"), param.get("format")
    if kind == "integer":
        try:
            value: Any = int(raw)
        except ValueError:
            raise _fail(name, f"{raw!r} is not an integer") from None
        if "minimum" in param and value < param["minimum"]:
            raise _fail(name, f"must be at least {param['minimum']}")
        if "maximum" in param and value > param["maximum"]:
            raise _fail(name, f"must be at most {param['maximum']}")
        return value
    if kind == "boolean":
        if raw.lower() not in {"true", "false"}:
            raise _fail(name, f"{raw!r} is not true or false")
        return raw.lower() == "true"
    if fmt == "date-time":
        return _parse_datetime(name, raw)
    if fmt == "date":
        try:
            parsed: date | None = parse_date(raw)
        except ValueError:
            raise _fail(name, f"{raw!r} is not a date that exists") from None
        if parsed is None:
            raise _fail(name, f"{raw!r} is not a date (YYYY-MM-DD)")
        return parsed
    if fmt == "uuid":
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise _fail(name, f"{raw!r} is not a UUID") from None
    if "enum" in param and raw not in param["enum"]:
        raise _fail(name, f"{raw!r} is not one of {', '.join(map(str, param['enum']))}")
    if "maxLength" in param and len(raw) > param["maxLength"]:
        raise _fail(name, f"longer than {param['maxLength']} characters")
    return raw


def is_list_param(param: dict[str, Any]) -> bool:
    """Comma-separated parameters: declared ``csv``, or ``maximum`` on a string (SPEC-NOTES: a count)."""
    return param.get("type", "string") == "string" and (param.get("format") == "csv" or "maximum" in param)


def parse_param(param: dict[str, Any], raw: str) -> Any:
    """One parameter's value: lists split on commas, each item checked on its own."""
    name = param["name"]
    if not is_list_param(param):
        return _parse_scalar(param, raw)
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise _fail(name, "must not be empty")
    if "maximum" in param and len(items) > param["maximum"]:
        raise _fail(name, f"at most {param['maximum']} values are allowed, got {len(items)}")
    item_param = {k: v for k, v in param.items() if k not in {"maximum", "minimum"}}
    if item_param.get("format") == "csv":
        item_param.pop("format")
    return [_parse_scalar(item_param, item) for item in items]


def parse_query(operation_id: str, query: QueryDict, path_params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The operation's query parameters, parsed; defaults filled; path params checked the same way."""
    for name, values in query.lists():
        # Text the database cannot store cannot be compared with what it holds either (a 400, not a 500).
        problem = next(filter(None, map(text_problem, values)), None)
        if problem:
            raise _fail(name, problem)
    operation = operation_by_id(operation_id)
    parsed: dict[str, Any] = {}
    for param in operation.parameters:
        name, where = param["name"], param.get("in")
        if where == "path" and path_params is not None and name in path_params:
            parsed[name] = _parse_scalar(param, str(path_params[name]))
            continue
        if where != "query":
            continue
        raw = query.get(name)
        if raw is None or raw == "":
            if param.get("required"):
                raise _fail(name, "is required")
            if "default" in param:
                parsed[name] = param["default"]
            continue
        parsed[name] = parse_param(param, raw)
    if query.get(CURSOR):
        parsed[CURSOR] = query[CURSOR]
    return parsed
