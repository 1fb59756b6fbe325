"""Uploads waiting between the import wizard's steps, kept in default storage under a per-workspace path.

An upload is two files, ``jobs/imports/<workspace id>/<token>.csv`` (the text, as UTF-8) and
``<token>.json`` (who uploaded it, for which connection, what was read from it and the mapping
once chosen). Default storage rather than the session: the file can be 4 MB, and on a scaled-out
site every web process sees the same storage. The token is random and the path holds the
workspace, so a token is only found by its uploader, in their workspace. Uploads are deleted when
the import starts or is cancelled; ones left behind are swept when the workspace uploads again.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .csv_files import CsvFile, Target

ROOT = "jobs/imports"
# An abandoned wizard's file is kept this long, then swept.
KEEP_FOR = timedelta(days=1)
_TOKEN = re.compile(r"^[0-9a-f]{32}$")

__all__ = ["StagedImport", "discard", "load", "save_mapping", "stage"]


@dataclass
class StagedImport:
    """An uploaded file between steps: whose it is, what it holds, and the columns' chosen fields."""

    token: str
    workspace_id: int
    connection_id: int
    user_id: int
    file_name: str
    created_at: str
    delimiter: str
    encoding: str
    header: list[str]
    sample: list[list[str]]
    contact_rows: int
    # Column index (as text: JSON keys are strings) -> field key; empty until step 2 is done.
    mapping: dict[str, str] = field(default_factory=dict)
    # The chosen fields' labels (custom fields' come from the account), for step 3's summary.
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def csv_name(self) -> str:
        """The file's text."""
        return f"{ROOT}/{self.workspace_id}/{self.token}.csv"

    @property
    def meta_name(self) -> str:
        """What was read from it, and the mapping."""
        return f"{ROOT}/{self.workspace_id}/{self.token}.json"

    @property
    def chosen(self) -> dict[int, str]:
        """The mapping with column indexes as numbers."""
        return {int(index): key for index, key in self.mapping.items()}

    def described(self) -> list[tuple[str, str]]:
        """(column name, field label) for each imported column, in file order."""
        summary = self.summary()
        return [(summary.column_name(index), self.labels.get(key, key)) for index, key in sorted(self.chosen.items())]

    def parsed(self) -> CsvFile:
        """The file as the CSV helpers read it (its whole text is read from storage)."""
        with default_storage.open(self.csv_name, "rb") as handle:
            text = handle.read().decode("utf-8")
        return CsvFile(text, self.delimiter, self.encoding, self.header, self.sample, self.contact_rows)

    def summary(self) -> CsvFile:
        """The file's header and first rows only, without reading its text (for the mapping page)."""
        return CsvFile("", self.delimiter, self.encoding, self.header, self.sample, self.contact_rows)


def _write_meta(staged: StagedImport) -> None:
    # Storage never overwrites (it would pick another name), so the old copy goes first.
    default_storage.delete(staged.meta_name)
    default_storage.save(staged.meta_name, ContentFile(json.dumps(asdict(staged)).encode()))


def stage(*, workspace_id: int, connection_id: int, user_id: int, file_name: str, parsed: CsvFile) -> StagedImport:
    """Keep a checked upload for the next steps (and sweep the workspace's abandoned ones)."""
    _sweep(workspace_id)
    staged = StagedImport(
        token=secrets.token_hex(16),
        workspace_id=workspace_id,
        connection_id=connection_id,
        user_id=user_id,
        file_name=file_name,
        created_at=timezone.now().isoformat(),
        delimiter=parsed.delimiter,
        encoding=parsed.encoding,
        header=parsed.header,
        sample=parsed.sample,
        contact_rows=parsed.contact_rows,
    )
    default_storage.save(staged.csv_name, ContentFile(parsed.text.encode("utf-8")))
    _write_meta(staged)
    return staged


def load(workspace_id: int, user_id: int, token: str) -> StagedImport | None:
    """The user's upload ``token`` in this workspace, or None (unknown, someone else's, or swept)."""
    if not _TOKEN.match(token):
        return None
    name = f"{ROOT}/{workspace_id}/{token}.json"
    try:
        with default_storage.open(name, "rb") as handle:
            staged = StagedImport(**json.load(handle))
    except (OSError, ValueError, TypeError):
        return None
    if staged.user_id != user_id or staged.workspace_id != workspace_id:
        return None
    return staged


def save_mapping(staged: StagedImport, mapping: dict[int, str], targets: Sequence[Target]) -> None:
    """Remember the fields chosen for the columns, and what they are called."""
    labels = {target.key: target.label for target in targets}
    staged.mapping = {str(index): key for index, key in sorted(mapping.items())}
    staged.labels = {key: labels.get(key, key) for key in mapping.values()}
    _write_meta(staged)


def discard(staged: StagedImport) -> None:
    """Delete the upload's files."""
    default_storage.delete(staged.csv_name)
    default_storage.delete(staged.meta_name)


def _sweep(workspace_id: int) -> None:
    """Delete this workspace's uploads older than :data:`KEEP_FOR` (wizards people walked away from)."""
    folder = f"{ROOT}/{workspace_id}"
    try:
        _, names = default_storage.listdir(folder)
    except OSError:
        return  # nothing uploaded here yet
    cutoff = timezone.now() - KEEP_FOR
    for name in names:
        token, _, extension = name.partition(".")
        if extension != "json" or not _TOKEN.match(token):
            continue
        try:
            with default_storage.open(f"{folder}/{name}", "rb") as handle:
                created = datetime.fromisoformat(json.load(handle)["created_at"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if created < cutoff:
            default_storage.delete(f"{folder}/{token}.csv")
            default_storage.delete(f"{folder}/{name}")
