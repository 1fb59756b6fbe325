"""The base of every generated resource group, and the argument types their methods share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any

from .core import Core
from .paging import iter_items

JSONBody = Mapping[str, Any] | Sequence[Any]
FileContent = bytes | IO[bytes]
# Content alone (named after the parameter), (filename, content) or (filename, content, mimetype).
FileInput = FileContent | tuple[str, FileContent] | tuple[str, FileContent, str]


def _arguments(local_names: Mapping[str, Any]) -> dict[str, Any]:
    """A generated method's ``locals()`` minus ``self``: its parameters by spec name."""
    return {name: value for name, value in local_names.items() if name != "self"}


class Resource:
    """A group of operations under one spec tag; the generated subclasses only name and type them."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def _call(self, operation_id: str, local_names: Mapping[str, Any]) -> Any:
        """Call ``operation_id`` with a generated method's arguments (the table says where each goes)."""
        return self._core.call(operation_id, _arguments(local_names))

    def _iterate(self, operation_id: str, local_names: Mapping[str, Any]) -> Iterator[Any]:
        """Every item of a paged listing, from the first page to the last."""
        return iter_items(self._core, operation_id, _arguments(local_names))
