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
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.request import Request

from apps.v3.contract import load_spec, operation_by_id
from apps.v3.gate.errors import V3Error, bad_request

from .params import declares

UNSUPPORTED_MEDIA_TYPE = "api.unsupported_media_type"


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
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def media_type_error(operation_id: str, message: str) -> V3Error:
    """A body that is not JSON: 415 where the operation declares it, else its 400 (SPEC-NOTES: a declared code)."""
    return V3Error(415 if declares(operation_id, "415") else 400, UNSUPPORTED_MEDIA_TYPE, message)


def nul_at(value: Any, where: str) -> str | None:
    """Where a NUL character hides in ``value``: databases refuse them, so they are refused first."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = nul_at(item, f"{where}.{key}" if where else str(key))
        if found:
            return found
    return None


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

    Not JSON: :func:`media_type_error`. Empty, holding a NUL character, an array past its
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
    where = nul_at(data, "")
    if where is not None:
        raise bad_request(f"{where or 'body'}: contains a NUL character")
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
