"""Request bodies: one reader, :func:`read_body`, for every JSON operation, checked against its body schema.

The spec's schema literals have known defects (SPEC-NOTES): ``maxItems: 0`` on arrays that
real requests fill, and ``readOnly`` on ``list_memberships``/``taggings`` items that callers set.
The checker drops ``maxItems: 0`` and ignores ``readOnly``; the limits the operations state in
words are enforced by the endpoints themselves.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft4Validator
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.utils.mediatypes import _MediaType

from apps.v3.common.text import unstorable_at
from apps.v3.contract import load_spec, operation_by_id
from apps.v3.gate.errors import V3Error, bad_request
from apps.v3.http.params import declares

UNSUPPORTED_MEDIA_TYPE = "api.unsupported_media_type"
# The spec's deepest body (a contact with its custom fields and addresses) nests 4 levels; a body
# nested far past that is an attack on the parser and the checks that recurse over it.
MAX_DEPTH = 32
# RFC 8259 has JSON between systems in UTF-8; another declared charset would be decoded into
# other characters than the caller meant, so it is refused rather than guessed
# (docs/decisions/gate-and-oauth.md#content-types-and-charsets).
JSON_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def depth_of(value: Any) -> int:
    """How deeply ``value`` nests objects and arrays (a scalar is 0), stopping once past :data:`MAX_DEPTH`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def too_deep(problem: str = "") -> str:
    """The message for a body nested past :data:`MAX_DEPTH`."""
    return f"body: nested deeper than {MAX_DEPTH} levels of objects and arrays{problem}"


class TooDeep(ValueError):
    """JSON nested past :data:`MAX_DEPTH`."""


def loads(raw: bytes | str) -> Any:
    """JSON text as data; ``ValueError`` when malformed, :class:`TooDeep` past :data:`MAX_DEPTH`."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise TooDeep(too_deep()) from None
    if depth_of(data) > MAX_DEPTH:
        raise TooDeep(too_deep())
    return data


class V3JSONParser(JSONParser):
    """DRF's JSON parser, refusing other charsets than UTF-8 and bodies nested past :data:`MAX_DEPTH`."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        """The parsed body; a nesting bomb is a 400 instead of a ``RecursionError``."""
        charset = _MediaType(media_type or "").params.get("charset", "utf-8").strip("\"'").lower()
        if charset not in JSON_CHARSETS:
            raise UnsupportedMediaType(media_type or "", detail=f"charset {charset} (JSON bodies are UTF-8)")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep()) from None
        if depth_of(data) > MAX_DEPTH:
            raise ParseError(too_deep())
        return data


# Body fields whose schema format is narrower than what the operation states it accepts; the
# endpoint checks them itself. scheduled_date is a date-time, a date, or "0" for now
# (docs/decisions/campaigns.md#scheduled-date).
UNFORMATTED: dict[str, tuple[tuple[str, str], ...]] = {
    "scheduleEmailCampaignActivityUsingPOST": (("EmailScheduleInput", "scheduled_date"),),
}


def _repair(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _repair(v) for k, v in node.items() if not (k == "maxItems" and v == 0)}
    if isinstance(node, list):
        return [_repair(v) for v in node]
    return node


@cache
def _validator(operation_id: str) -> Draft4Validator | None:
    operation = operation_by_id(operation_id)
    body = next((p for p in operation.parameters if p.get("in") == "body"), None)
    if body is None:
        return None
    schema = _repair({**body["schema"], "definitions": load_spec()["definitions"]})
    for definition, field in UNFORMATTED.get(operation_id, ()):
        properties = {**schema["definitions"][definition]["properties"]}
        properties[field] = {k: v for k, v in properties[field].items() if k != "format"}
        schema["definitions"] = {
            **schema["definitions"],
            definition: {**schema["definitions"][definition], "properties": properties},
        }
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def media_type_error(operation_id: str, message: str) -> V3Error:
    """A body that is not JSON: 415 where the operation declares it, else its 400 (SPEC-NOTES: a declared code)."""
    return V3Error(415 if declares(operation_id, "415") else 400, UNSUPPORTED_MEDIA_TYPE, message)


@cache
def _array_limits(operation_id: str) -> dict[str, int]:
    """The body's top-level arrays and their ``maxItems``, to name a count that is too high plainly."""
    body = next((p for p in operation_by_id(operation_id).parameters if p.get("in") == "body"), None)
    schema = body["schema"] if body else {}
    if "$ref" in schema:
        schema = load_spec()["definitions"][schema["$ref"].rsplit("/", 1)[1]]
    properties = schema.get("properties", {})
    return {k: v["maxItems"] for k, v in properties.items() if v.get("type") == "array" and v.get("maxItems")}


def read_body(operation_id: str, request: Request) -> Any:
    """The operation's JSON body, checked against the spec; every refusal a 4xx naming what is wrong.

    Not JSON: :func:`media_type_error`. Empty, nested past :data:`MAX_DEPTH`, holding text the database
    cannot store (:mod:`apps.v3.common.text`), an array past its
    ``maxItems``, or against the schema: 400 naming the first field at fault.
    """
    raw = request.body  # read (and cached) before request.data, so both can be used
    try:
        data = request.data
    except UnsupportedMediaType as exc:
        raise media_type_error(operation_id, f"Content-Type: {exc.detail}") from None
    if not raw.strip():
        raise bad_request("body: is required")
    if isinstance(data, dict):
        for key, limit in _array_limits(operation_id).items():
            if isinstance(data.get(key), list) and len(data[key]) > limit:
                raise bad_request(f"{key}: at most {limit} items are allowed, got {len(data[key])}")
    found = unstorable_at(data)
    if found is not None:
        raise bad_request(f"{found[0] or 'body'}: {found[1]}")
    validator = _validator(operation_id)
    if validator is None:
        return data
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "body"
        raise bad_request(f"{where}: {_shorten(error.message)}", key="api.validation.error")
    return data


def _shorten(message: str, limit: int = 300) -> str:
    """jsonschema quotes the offending value; a 20,000-character string should not come back whole."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def dump(data: Any) -> str:
    """Compact JSON for storing a validated structure."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True)
