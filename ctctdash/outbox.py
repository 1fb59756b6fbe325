"""The embedded default email backend: every message the project sends, kept as an ``.eml`` file.

It lives beside the settings rather than in the campaigns domain because it serves every mail the
project sends (campaign copies, test sends, account email confirmations, resubscribe links), and
the settings name it as the default when ``EMAIL_URL`` is unset. ``/m/outbox/`` lists what it holds
(apps/v3/campaigns/public/outbox.py) so a person running ``make run`` can open a copy and click its
tracked links. Files are written under a temporary name and renamed, so a reader never sees half a
message; names sort by the time they were written.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage as ParsedMessage
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

BACKEND = "ctctdash.outbox.OutboxBackend"
_NAME = re.compile(r"^[0-9]{20}-[0-9a-f]{32}\.eml$")


def outbox_dir() -> Path:
    """Where the messages are (``EMAIL_OUTBOX_DIR``, by default ``var/outbox``)."""
    return Path(getattr(settings, "EMAIL_OUTBOX_DIR", Path(settings.VAR_DIR) / "outbox"))


def in_use() -> bool:
    """Whether the outbox is the configured email backend."""
    return bool(settings.EMAIL_BACKEND == BACKEND)


class OutboxBackend(BaseEmailBackend):
    """Writes each message to ``<outbox>/<time>-<random>.eml``; a connection is a no-op."""

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.directory = outbox_dir()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Store each message; how many were stored."""
        if not email_messages:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                self._store(message)
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent

    def _store(self, message: EmailMessage) -> None:
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.eml"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(message.message().as_bytes(linesep="\n"))
        os.replace(temporary, self.directory / name)


@dataclass(frozen=True)
class StoredMessage:
    """One message of the outbox, parsed: its file name, headers, and its HTML and text parts."""

    name: str
    headers: list[tuple[str, str]]
    html: str
    text: str

    def header(self, name: str) -> str:
        """The first value of header ``name`` (any case), or ``""``."""
        return next((value for key, value in self.headers if key.lower() == name.lower()), "")

    @property
    def subject(self) -> str:
        """The Subject header."""
        return self.header("Subject")


def _parse(path: Path) -> StoredMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, ParsedMessage)
    parts: dict[str, str] = {}
    for subtype in ("html", "plain"):
        part = parsed.get_body(preferencelist=(subtype,))
        if part is not None and part.get_content_subtype() == subtype:
            assert isinstance(part, ParsedMessage)
            parts[subtype] = str(part.get_content())
    headers = [(key, str(value)) for key, value in parsed.items()]
    return StoredMessage(path.name, headers, parts.get("html", ""), parts.get("plain", ""))


def stored(limit: int = 100) -> list[StoredMessage]:
    """The newest ``limit`` messages, newest first."""
    directory = outbox_dir()
    if not directory.is_dir():
        return []
    names = sorted((n for n in os.listdir(directory) if _NAME.match(n)), reverse=True)[:limit]
    return [_parse(directory / name) for name in names]


def count() -> int:
    """How many messages the outbox holds."""
    directory = outbox_dir()
    return sum(1 for n in os.listdir(directory) if _NAME.match(n)) if directory.is_dir() else 0


def find(name: str) -> StoredMessage | None:
    """The message stored under ``name``, or None (a name that is not an outbox file's is never opened)."""
    if not _NAME.match(name):
        return None
    path = outbox_dir() / name
    return _parse(path) if path.is_file() else None
