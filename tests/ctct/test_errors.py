"""Error parsing: both spec envelopes, the token endpoint's shape, and bodies that are not JSON."""

from __future__ import annotations

import json
from email.utils import formatdate
from typing import Any

import pytest
import requests

from apps.ctct import (
    BadRequest,
    Conflict,
    CtctError,
    Forbidden,
    NotFound,
    QuotaExceeded,
    ServerError,
    Throttled,
    Unauthorized,
    UnsupportedMediaType,
)
from apps.ctct.errors import error_for, retry_after_seconds


def response(status: int, body: Any, content_type: str = "application/json", **headers: str) -> requests.Response:
    made = requests.Response()
    made.status_code = status
    made._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    made.headers.update({"Content-Type": content_type, **headers})
    return made


@pytest.mark.parametrize(
    ("status", "key", "cls"),
    [
        (400, "api.validation.error", BadRequest),
        (401, "unauthorized", Unauthorized),
        (403, "forbidden", Forbidden),
        (404, "api.resource.not_found", NotFound),
        (409, "api.conflict", Conflict),
        (415, "api.unsupported_media_type", UnsupportedMediaType),
        (429, "throttled", Throttled),
        (429, "quota_exceeded", QuotaExceeded),
        (500, "api.internal_error", ServerError),
        (503, "unavailable", ServerError),
        (405, "api.method_not_allowed", CtctError),
    ],
)
def test_class_by_status_and_key(status: int, key: str, cls: type[CtctError]) -> None:
    error = error_for(response(status, [{"error_key": key, "error_message": "m"}]))
    assert type(error) is cls and error.status == status and error.error_key == key


def test_array_envelope_keeps_every_entry() -> None:
    body = [{"error_key": "a", "error_message": "first"}, {"error_key": "b", "error_message": "second"}]
    error = error_for(response(400, body))
    assert (error.error_key, error.error_message) == ("a", "first")
    assert [(e.error_key, e.error_message) for e in error.errors] == [("a", "first"), ("b", "second")]
    assert str(error) == "HTTP 400: a: first; b: second"


def test_object_envelope() -> None:
    error = error_for(response(401, {"error_key": "unauthorized", "error_message": "expired"}))
    assert isinstance(error, Unauthorized)
    assert (error.error_key, error.error_message, len(error.errors)) == ("unauthorized", "expired", 1)


def test_oauth_error_shape() -> None:
    error = error_for(response(400, {"error": "invalid_grant", "error_description": "gone"}))
    assert (error.error_key, error.error_message) == ("invalid_grant", "gone")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html><body>Bad  Gateway</body></html>", "<html><body>Bad Gateway</body></html>"),
        ("", "HTTP 502"),
        ("[1, 2]", "[1, 2]"),
        ('{"unexpected": true}', '{"unexpected": true}'),
    ],
)
def test_bodies_without_an_envelope(body: str, message: str) -> None:
    error = error_for(response(502, body, "text/html"))
    assert isinstance(error, ServerError)
    assert error.error_key is None and error.error_message == message


def test_long_non_json_bodies_are_cut() -> None:
    error = error_for(response(500, "x" * 5000, "text/plain"))
    assert len(error.error_message) == 500


def test_429_without_a_key_is_throttled_and_reads_retry_after() -> None:
    error = error_for(response(429, "slow down", "text/plain", **{"Retry-After": "3"}))
    assert isinstance(error, Throttled) and error.retry_after == 3.0


def test_retry_after_forms() -> None:
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("2.5") == 2.5
    assert retry_after_seconds("-1") == 0.0
    assert retry_after_seconds("soon") is None
    from_date = retry_after_seconds(formatdate(usegmt=True, timeval=__import__("time").time() + 30))
    assert from_date is not None and 25 <= from_date <= 31
