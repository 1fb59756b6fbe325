"""Checking a V3 response against the spec: its status code and its body.

Every V3 test goes through :func:`validate_response`, so a response the spec would not allow
fails the test that saw it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

import jsonschema
from jsonschema import Draft4Validator

from apps.v3.contract.spec import Operation, load_spec, match_operation, operation_by_id

# The spec defines its error envelopes but references them from no response (SPEC-NOTES), so
# error bodies are checked against the definition each status uses: the object form for
# authorization failures, the array form for everything else.
AUTHORIZATION_ERROR_STATUSES = {"401"}
# Statuses the gate or the framework may answer on any operation whether or not the operation
# lists them: authorization and rate limiting apply everywhere
# (docs/decisions/gate-and-oauth.md#status-codes-every-operation-may-answer).
UNIVERSAL_STATUSES = {"401", "403", "429"}
# Statuses the service sends on purpose although the operation does not declare them, each with
# its reason (docs/decisions/account.md#missing-physical-address-is-404 and
# docs/decisions/contacts.md#get-list-has-no-400). Their bodies are still checked against the envelope.
DOCUMENTED_UNDECLARED: dict[tuple[str, str], str] = {
    ("getPhysicalAddress", "404"): "the account has no physical address yet; no declared code means that",
    ("getList", "400"): "a bad include_membership_count is the caller's error; the only getList without 400",
    (
        "createSSOUser",
        "404",
    ): "no client account of this partner has the id (docs/decisions/partners.md#another-partners-account)",
}
# Operations whose success body is another operation's: the partners' sync proxy answers with the body of the
# V3 call it made, for which the spec declares no schema (docs/decisions/partners.md#sync-proxy); tests check
# that body against the inner operation.
PROXIED_BODIES = frozenset({"partnerAccountOperationsPostSync"})


# The array form, with at least one entry naming its key and message.
ARRAY_ENVELOPE: dict[str, Any] = {
    "allOf": [
        {"$ref": "#/definitions/APIErrorSchema"},
        {"minItems": 1, "items": {"required": ["error_key", "error_message"]}},
    ]
}


class ContractViolation(AssertionError):
    """A response that the spec does not allow."""


@cache
def _validator(schema_json: str) -> Draft4Validator:
    schema = json.loads(schema_json)
    schema = {**schema, "definitions": load_spec()["definitions"]}
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _check(schema: dict[str, Any], body: Any, where: str) -> None:
    errors = sorted(_validator(json.dumps(schema, sort_keys=True)).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors[:10]]
        raise ContractViolation(f"{where}: body does not match the spec:\n  " + "\n  ".join(lines))


def error_schema(operation: Operation, status: str) -> dict[str, Any]:
    """The envelope an error response of ``operation`` must have."""
    if status in AUTHORIZATION_ERROR_STATUSES:
        return {"$ref": "#/definitions/AuthorizationErrorSchema"}
    if operation.tag.endswith("Reporting"):
        return {"$ref": "#/definitions/StatsError"}
    return ARRAY_ENVELOPE


def validate_response(
    method: str,
    path: str,
    status: int,
    body: Any,
    content_type: str | None = None,
) -> Operation:
    """Raise :class:`ContractViolation` unless the spec allows this response; return its operation.

    ``body`` is the decoded JSON body (or None for an empty one, or a str for non-JSON bodies).
    """
    operation = match_operation(method, path)
    if operation is None:
        raise ContractViolation(f"{method} {path}: no such operation in the spec")
    where = f"{operation.operation_id} ({method} {path}) -> {status}"
    code = str(status)
    declared = operation.responses.get(code)
    allowed = code in UNIVERSAL_STATUSES or (operation.operation_id, code) in DOCUMENTED_UNDECLARED
    if declared is None and not allowed:
        raise ContractViolation(f"{where}: status {code} is not declared (declared: {sorted(operation.responses)})")
    if status >= 400:
        _check(error_schema(operation, code), body, where)
        return operation
    schema = (declared or {}).get("schema")
    if schema is None:
        if body not in (None, "", b"") and operation.operation_id not in PROXIED_BODIES:
            raise ContractViolation(f"{where}: the spec declares no body, got {body!r:.200}")
        return operation
    if content_type and "json" not in content_type and schema.get("type") == "string":
        return operation  # text/csv downloads and the like
    _check(schema, body, where)
    return operation


def validate_error_envelope(
    status: int, body: Any, where: str = "response", route_operations: Iterable[str] = ()
) -> None:
    """An error no operation describes (a method the path lacks, a route-less path).

    Its envelope is the one the route's own operations (``route_operations``, their ids) answer
    errors in: the reporting routes' ``StatsError`` object, the array everywhere else.
    """
    if status < 400:
        raise ContractViolation(f"{where}: status {status} is not an error")
    operations = [operation_by_id(operation_id) for operation_id in route_operations]
    _check(error_schema(operations[0], str(status)) if operations else ARRAY_ENVELOPE, body, where)


def validate_django_response(response: Any, method: str | None = None, path: str | None = None) -> Operation:
    """Validate a Django test-client or ``requests`` response; method and path come from its request."""
    if hasattr(response, "wsgi_request"):
        method = method or response.wsgi_request.method
        path = path or response.wsgi_request.path
        raw = response.content
        content_type = response.get("Content-Type")
        status = response.status_code
    else:  # requests.Response
        method = method or response.request.method
        from urllib.parse import urlsplit

        path = path or urlsplit(response.request.url).path
        raw = response.content
        content_type = response.headers.get("Content-Type")
        status = response.status_code
    body: Any = None
    if raw:
        if content_type and "json" in content_type:
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise ContractViolation(f"{method} {path}: body is not JSON: {exc}") from exc
        else:
            body = raw.decode("utf-8", "replace")
    assert method is not None and path is not None
    return validate_response(method, path, status, body, content_type)


__all__ = [
    "ContractViolation",
    "jsonschema",
    "validate_django_response",
    "validate_error_envelope",
    "validate_response",
]
