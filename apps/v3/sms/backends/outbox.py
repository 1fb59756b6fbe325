"""The embedded default SMS backend: each text kept as a ``.json`` file under ``var/sms-outbox/``.

Like the email outbox (ctctdash/outbox.py): files are written under a temporary name and renamed,
so a reader never sees half a message, and names sort by the time they were written. The staff
page ``/s/campaigns/`` lists the newest ones.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from apps.v3.sms.backends import SmsMessage

BACKEND = "apps.v3.sms.backends.outbox.OutboxBackend"
_NAME = re.compile(r"^[0-9]{20}-[0-9a-f]{32}\.json$")


def outbox_dir() -> Path:
    """Where the texts are (``SMS_OUTBOX_DIR``, by default ``var/sms-outbox``)."""
    return Path(getattr(settings, "SMS_OUTBOX_DIR", Path(settings.VAR_DIR) / "sms-outbox"))


def in_use() -> bool:
    """Whether the outbox is the configured SMS backend."""
    return bool(settings.CTCTDASH_SMS_BACKEND == BACKEND)


class OutboxBackend:
    """Writes each text to ``<outbox>/<time>-<random>.json``; every text is accepted."""

    def __init__(self) -> None:
        self.directory = outbox_dir()

    def send_messages(self, messages: Sequence[SmsMessage]) -> list[str | None]:
        """Store each message; None (accepted) for each, or the OS error that stopped a write."""
        self.directory.mkdir(parents=True, exist_ok=True)
        results: list[str | None] = []
        for message in messages:
            try:
                self._store(message)
            except OSError as exc:
                results.append(f"outbox: {exc.strerror or exc}")
                continue
            results.append(None)
        return results

    def _store(self, message: SmsMessage) -> None:
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"
        temporary = self.directory / f".{name}.tmp"
        record = {"to": message.to, "body": message.body, "reference": message.reference}
        temporary.write_text(json.dumps(record, ensure_ascii=False))
        os.replace(temporary, self.directory / name)


def stored(limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` texts, newest first, each with its file ``name``."""
    directory = outbox_dir()
    if not directory.is_dir():
        return []
    names = sorted((n for n in os.listdir(directory) if _NAME.match(n)), reverse=True)[:limit]
    return [{"name": name, **json.loads((directory / name).read_text())} for name in names]
