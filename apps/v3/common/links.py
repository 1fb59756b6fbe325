"""Signing of the links the service mails, which work for a while after they are made."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.core.signing import TimestampSigner


class IssuedAtSigner(TimestampSigner):
    """A ``TimestampSigner`` that can sign as of another moment than now.

    ``issued_at`` makes a link as of that moment (an old link, in the tests); unsigning always
    measures age against the real clock, so an expired link needs no waiting.
    """

    def __init__(self, salt: str, issued_at: datetime | None = None) -> None:
        super().__init__(salt=salt)
        self.issued_at = issued_at

    def timestamp(self) -> str:
        if self.issued_at is None:
            return super().timestamp()
        return signing.b62_encode(int(self.issued_at.timestamp()))

    def unsign_aged(self, value: str, max_age: timedelta) -> tuple[str, bool]:
        """The signed value and whether it is older than ``max_age``; ``BadSignature`` when forged."""
        try:
            return self.unsign(value, max_age=max_age), False
        except signing.SignatureExpired:
            return self.unsign(value), True
