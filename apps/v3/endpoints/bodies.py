"""Request bodies checked against the operation's body schema in the spec.

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
from rest_framework.request import Request

from apps.v3.contract import load_spec, operation_by_id
from apps.v3.gate.errors import bad_request


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


def parse_body(operation_id: str, request: Request) -> Any:
    """The JSON body, checked against the spec; 400 naming the first field at fault."""
    raw = request.body if hasattr(request, "body") else b""
    if not raw or not raw.strip():
        raise bad_request("The request body is required.", key="api.validation.error")
    data = request.data
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
