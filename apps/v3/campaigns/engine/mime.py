"""A campaign copy as an ``EmailMultiAlternatives`` whose MIME text is written directly, not by the email package.

Django builds a message through the email package's generic header folding and boundary search:
about 0.8 ms a copy, as long as the whole SMTP exchange with a nearby server, so it would halve a
send's speed (docs/decisions/campaigns.md#copies-are-serialised-directly). A campaign copy always
has one shape, a text and an HTML alternative, so :class:`CopyMessage` writes it itself: both
parts quoted-printable (C-accelerated ``binascii``; every line under 76 characters, safe for any
server), a boundary starting ``=_`` (which quoted-printable text can never contain, so no
search), ASCII headers as they are and others as RFC 2047 encoded words. A copy with an address
that is not ASCII falls back to Django's own serialisation. It is still handed to the configured
backend like any message: SMTP, the outbox and the test backend all read ``message()``.
"""

from __future__ import annotations

import binascii
import uuid
from email.header import Header
from email.utils import formatdate
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

# Longest header line RFC 5322 allows; longer ASCII values are encoded (and so folded) instead.
MAX_LINE = 998


def _header(name: str, value: str) -> str:
    # A merge field must not start a header of its own: line breaks become spaces.
    value = value.replace("\r", " ").replace("\n", " ")
    if value.isascii() and len(name) + 2 + len(value) <= MAX_LINE:
        return f"{name}: {value}"
    return f"{name}: {Header(value, 'utf-8', header_name=name).encode(linesep=chr(10))}"


def _part(content_type: str, text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").encode()
    body = binascii.b2a_qp(lines, istext=True).decode("ascii")
    return (
        f'Content-Type: {content_type}; charset="utf-8"\nMIME-Version: 1.0\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n{body}\n"
    )


class Serialised:
    """The serialised message, answering what Django's backends ask of ``message()``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n", **kwargs: Any) -> bytes:
        """The message as bytes with ``linesep`` line ends."""
        return self.as_string(linesep=linesep).encode("ascii")

    def as_string(self, unixfrom: bool = False, linesep: str = "\n", **kwargs: Any) -> str:
        """The message as text with ``linesep`` line ends."""
        return self.text if linesep == "\n" else self.text.replace("\n", linesep)

    def __str__(self) -> str:
        return self.text


class CopyMessage(EmailMultiAlternatives):
    """One copy: ``body`` the text part, one HTML alternative; ``message()`` written directly."""

    def message(self) -> Any:
        """The serialised copy (Django's own when an address is not ASCII)."""
        addresses = [self.from_email, *self.to, *self.reply_to]
        html = [content for content, mimetype in self.alternatives if mimetype == "text/html"]
        if self.cc or self.bcc or self.attachments or len(html) != 1 or not all(a.isascii() for a in addresses):
            return super().message()
        boundary = f"=_{uuid.uuid4().hex}"
        headers = [
            _header("Subject", str(self.subject)),
            _header("From", self.extra_headers.get("From", self.from_email)),
            _header("To", ", ".join(self.to)),
        ]
        if self.reply_to:
            headers.append(_header("Reply-To", ", ".join(self.reply_to)))
        extra = {k: v for k, v in self.extra_headers.items() if k.lower() not in {"from", "to", "reply-to"}}
        if not any(k.lower() == "date" for k in extra):
            headers.append(_header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        headers += [_header(name, str(value)) for name, value in extra.items()]
        headers += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"']
        text = (
            "\n".join(headers)
            + f"\n\n--{boundary}\n"
            + _part("text/plain", str(self.body))
            + f"--{boundary}\n"
            + _part("text/html", str(html[0]))
            + f"--{boundary}--\n"
        )
        return Serialised(text)
