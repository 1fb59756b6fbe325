"""The shape of one V3 operation, as ``scripts/derive_client_ops.py`` writes it into ``operations.py``.

Only facts the request core needs live here: where each argument goes on the wire and how it is
encoded. Everything else about the operation (bodies' schemas, privileges) stays in the spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Location = Literal["path", "query", "form"]
Kind = Literal["string", "integer", "boolean", "file"]
BodyKind = Literal["json", "multipart"]
Result = Literal["object", "array", "text", "none", "any"]


@dataclass(frozen=True)
class Param:
    """One path, query or multipart form parameter."""

    name: str
    location: Location
    kind: Kind = "string"
    required: bool = False
    # A list value: comma-joined unless ``explode`` (the spec's collectionFormat ``multi``).
    many: bool = False
    explode: bool = False
    # The spec's ``format`` (date-time, date, uuid ...); decides how a Python value is written.
    format: str | None = None


@dataclass(frozen=True)
class Operation:
    """One spec operation: how to build its request and what a success looks like."""

    id: str
    method: str
    path: str
    tag: str
    params: tuple[Param, ...] = ()
    body: BodyKind | None = None
    body_required: bool = False
    success: tuple[int, ...] = (200,)
    result: Result = "object"
    # For listings that page with ``_links.next.href``: the array of items in each page.
    items_key: str | None = None
    # Partner operations need the ``x-api-key`` header besides the bearer token.
    api_key: bool = False

    def params_in(self, location: Location) -> tuple[Param, ...]:
        """The parameters that go in ``location``, in spec order."""
        return tuple(p for p in self.params if p.location == location)
