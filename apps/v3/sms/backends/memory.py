"""The test suite's SMS backend: texts kept in :data:`outbox`, like Django's locmem email backend.

A number in :data:`refused` is refused (a gateway's permanent failure), so tests can see bounces.
"""

from __future__ import annotations

from collections.abc import Sequence

from apps.v3.sms.backends import SmsMessage

outbox: list[SmsMessage] = []
refused: set[str] = set()


class MemoryBackend:
    """Appends each accepted text to :data:`outbox`."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> list[str | None]:
        """None for each text kept; a reason for each number in :data:`refused`."""
        results: list[str | None] = []
        for message in messages:
            if message.to in refused:
                results.append("number refused")
                continue
            outbox.append(message)
            results.append(None)
        return results
