"""Where a text goes: the backend ``CTCTDASH_SMS_BACKEND`` names (a dotted path to a class).

A backend takes a batch of :class:`SmsMessage` and answers, for each in order, None when it
accepted the message or the reason it refused it; the engine records both on the send rows.
A real gateway's backend is one small class with the same method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    """One text to one number; ``reference`` is the send's own code, for a gateway's delivery receipts."""

    to: str
    body: str
    reference: str


class SmsBackend(Protocol):
    """What the engine calls."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> list[str | None]:
        """For each message in order: None when accepted, else why it was refused."""
        ...


def get_backend(path: str | None = None) -> SmsBackend:
    """An instance of the configured backend (or of ``path``)."""
    backend: SmsBackend = import_string(path or settings.CTCTDASH_SMS_BACKEND)()
    return backend
