"""This project's additions to the spec: parameters the built-in service documents and Constant Contact lacks.

The operation table (``operations.py``) is derived from the spec and never edited by hand, so an
addition is named here instead, and the request core reads the table through :data:`OPERATIONS`,
which is the derived table with these parameters appended. Only the built-in service answers
them: a caller sends one only to a connection it knows is the built-in service.

- ``getContacts`` ``search``: any part of a contact's first name, last name or email address, in
  any case (docs/decisions/contacts.md, "Contact search").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .operations import OPERATIONS as SPEC_OPERATIONS
from .table import Operation, Param

EXTENSIONS: Mapping[str, tuple[Param, ...]] = {
    "getContacts": (Param("search", "query"),),
}


def extended(operations: Mapping[str, Operation]) -> dict[str, Operation]:
    """Each operation with this project's added parameters after the spec's own."""
    return {op_id: replace(op, params=op.params + EXTENSIONS.get(op_id, ())) for op_id, op in operations.items()}


OPERATIONS = extended(SPEC_OPERATIONS)
