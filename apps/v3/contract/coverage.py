"""Which spec operations have a route in this project (``make ops``, the route test)."""

from __future__ import annotations

import re

from django.urls import Resolver404, resolve

from apps.v3.contract.spec import BASE_PATH, Operation, operations

_SAMPLE_UUID = "00000000-0000-4000-8000-000000000000"


def sample_path(operation: Operation) -> str:
    """A concrete request path for ``operation``, placeholders filled with plausible values."""
    types = {p["name"]: p.get("type") for p in operation.parameters if p.get("in") == "path"}

    def fill(match: re.Match[str]) -> str:
        return "1" if types.get(match.group(1)) == "integer" else _SAMPLE_UUID

    return BASE_PATH + re.sub(r"\{([^}]+)\}", fill, operation.path)


def is_implemented(operation: Operation) -> bool:
    """True when a view answers ``operation``'s method at its path."""
    try:
        match = resolve(sample_path(operation))
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    if view_class is None:
        return False
    method = operation.method.lower()
    declared = getattr(view_class, "operation_ids", {})
    return getattr(view_class, method, None) is not None and declared.get(method) == operation.operation_id


def implemented() -> list[Operation]:
    """The operations that have a route."""
    return [op for op in operations() if is_implemented(op)]


def missing() -> list[Operation]:
    """The operations that do not have a route yet."""
    return [op for op in operations() if not is_implemented(op)]
