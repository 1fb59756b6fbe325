"""The client's exceptions: one class per HTTP failure the V3 API declares, built from any response.

The spec has two error envelopes: an array ``[{"error_key", "error_message"}, ...]`` for most
operations and one object ``{"error_key", "error_message"}`` for authorization and reporting
errors. Both, the token endpoint's ``{"error", "error_description"}`` and bodies that are not JSON
at all (a proxy's HTML page) all become the same attributes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests

__all__ = [
    "BadRequest",
    "Conflict",
    "CtctError",
    "ErrorDetail",
    "Forbidden",
    "NotFound",
    "QuotaExceeded",
    "ServerError",
    "Throttled",
    "Unauthorized",
    "UnsupportedMediaType",
    "error_for",
    "parse_errors",
]

QUOTA_EXCEEDED = "quota_exceeded"
THROTTLED = "throttled"
# Enough of a non-JSON body to recognise it in a log; a whole HTML error page is not useful.
_TEXT_LIMIT = 500


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of an error envelope."""

    error_key: str | None
    error_message: str


class CtctError(Exception):
    """A V3 API call that did not succeed; ``errors`` holds every entry the response listed."""

    def __init__(
        self,
        status: int,
        errors: list[ErrorDetail] | None = None,
        response: requests.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.errors = errors or [ErrorDetail(None, f"HTTP {status}")]
        self.response = response
        self.retry_after = retry_after
        super().__init__(str(self))

    @property
    def error_key(self) -> str | None:
        """The first entry's ``error_key`` (None when the body had none)."""
        return self.errors[0].error_key

    @property
    def error_message(self) -> str:
        """The first entry's ``error_message``."""
        return self.errors[0].error_message

    def __str__(self) -> str:
        listed = "; ".join(f"{e.error_key}: {e.error_message}" if e.error_key else e.error_message for e in self.errors)
        return f"HTTP {self.status}: {listed}"


class BadRequest(CtctError):
    """400: the request was malformed or failed validation."""


class Unauthorized(CtctError):
    """401: missing, invalid, expired or revoked token, or a refresh the token endpoint refused."""


class Forbidden(CtctError):
    """403: the token lacks a scope, or its user lacks a privilege."""


class NotFound(CtctError):
    """404."""


class Conflict(CtctError):
    """409: the resource already exists or the change conflicts with its state."""


class UnsupportedMediaType(CtctError):
    """415."""


class Throttled(CtctError):
    """429 ``throttled``: too many requests per second; the client backs off and retries first."""


class QuotaExceeded(CtctError):
    """429 ``quota_exceeded``: the application's daily quota is spent; retrying cannot help today."""


class ServerError(CtctError):
    """5xx."""


_BY_STATUS: dict[int, type[CtctError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    415: UnsupportedMediaType,
}


def _detail(entry: Any) -> ErrorDetail | None:
    if not isinstance(entry, dict):
        return None
    key = entry.get("error_key", entry.get("error"))
    message = entry.get("error_message", entry.get("error_description", entry.get("message")))
    if key is None and message is None:
        return None
    return ErrorDetail(None if key is None else str(key), "" if message is None else str(message))


def parse_errors(text: str, status: int = 0) -> list[ErrorDetail]:
    """The entries of an error body in either envelope; a non-JSON body becomes one keyless entry."""
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    entries = body if isinstance(body, list) else [body]
    details = [d for d in (_detail(e) for e in entries) if d is not None]
    if details:
        return details
    snippet = " ".join(text.split())[:_TEXT_LIMIT]
    return [ErrorDetail(None, snippet or f"HTTP {status}")]


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: either delay-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def error_for(response: requests.Response) -> CtctError:
    """The exception for a failed response, chosen by status and, for 429, by ``error_key``."""
    status = response.status_code
    errors = parse_errors(response.text, status)
    cls: type[CtctError]
    if status == 429:
        cls = QuotaExceeded if any(e.error_key == QUOTA_EXCEEDED for e in errors) else Throttled
    elif status >= 500:
        cls = ServerError
    else:
        cls = _BY_STATUS.get(status, CtctError)
    return cls(status, errors, response, retry_after_seconds(response.headers.get("Retry-After")))
