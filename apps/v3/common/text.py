"""What text the database can store: the one check every stored string passes first.

PostgreSQL refuses NUL in text, and no database driver can encode a lone UTF-16 surrogate
(``"\\ud800"`` is valid JSON but not valid Unicode text), so either would surface as a 500 from
the database layer. Every place that stores a caller's string refuses them first as a 400.
"""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored ("contains a NUL character", ...), or None when it can."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "contains a NUL character"
    return f"contains a lone UTF-16 surrogate (U+{ord(char):04X}), which is not text"


def unstorable_at(value: Any, where: str = "") -> tuple[str, str] | None:
    """The first place in a JSON value (keys included) holding unstorable text, and why; None if none."""
    if isinstance(value, str):
        problem = text_problem(value)
        return (where, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            at = f"{where}.{key}" if where else str(key)
            problem = text_problem(key) if isinstance(key, str) else None
            if problem:
                # The key itself is at fault: name it by its parent, since it cannot be printed safely.
                return (f"{where or 'body'} (a property name)", problem)
            found = unstorable_at(item, at)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_at(item, f"{where}.{index}" if where else str(index))
            if found:
                return found
    return None
