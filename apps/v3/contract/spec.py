"""The facts-only V3 spec and the table of its operations."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("v3-facts.json")
BASE_PATH = "/v3"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@cache
def load_spec() -> dict[str, Any]:
    """The facts-only spec as a dict (loaded once per process)."""
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


@dataclass(frozen=True)
class Operation:
    """One operation of the spec: where it lives and what it takes to call it."""

    operation_id: str
    method: str
    path: str
    tag: str
    scopes: frozenset[str]
    privileges: tuple[str, ...]
    security: tuple[frozenset[str], ...]
    parameters: tuple[dict[str, Any], ...] = field(repr=False)
    responses: dict[str, Any] = field(repr=False, hash=False, compare=False)

    @property
    def is_partner(self) -> bool:
        """Partner operations take a partner token plus the ``x-api-key`` header."""
        return any("ctctPartnerAuthorizer" in req for req in self.security)

    def path_regex(self) -> re.Pattern[str]:
        """A regex matching concrete request paths (without the ``/v3`` base) of this operation."""
        return _path_regex(self.path)


@cache
def _path_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
    return re.compile(f"^{pattern}$")


@cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the spec, in spec order."""
    spec = load_spec()
    found: list[Operation] = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            security = tuple(frozenset(req) for req in op.get("security", []))
            scopes = frozenset(s for req in op.get("security", []) for scopes in req.values() for s in scopes)
            found.append(
                Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    tag=op["tags"][0],
                    scopes=scopes,
                    privileges=tuple(op.get("x-authorization-privileges", [])),
                    security=security,
                    parameters=tuple(shared + op.get("parameters", [])),
                    responses=op["responses"],
                )
            )
    return tuple(found)


@cache
def operation_by_id(operation_id: str) -> Operation:
    """Look an operation up by its ``operationId``."""
    for op in operations():
        if op.operation_id == operation_id:
            return op
    raise KeyError(operation_id)


def match_operation(method: str, request_path: str) -> Operation | None:
    """The operation a concrete request addresses, or None.

    A literal segment beats a placeholder (``/contacts/counts`` is not ``/contacts/{contact_id}``),
    so candidates are ranked by how many literal characters their template has.
    """
    path = request_path.split("?", 1)[0]
    if path.startswith(BASE_PATH + "/"):
        path = path[len(BASE_PATH) :]
    candidates = [op for op in operations() if op.method == method.upper() and op.path_regex().match(path)]
    if not candidates:
        return None
    return max(candidates, key=lambda op: len(re.sub(r"\{[^}]+\}", "", op.path)))
