"""Value checks the partner operations share: login names, emails, http(s) URIs, path ids."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.v3.gate.errors import V3Error, bad_request, conflict

LOGIN_NAME = re.compile(r"[A-Za-z0-9\-_@.+]+")
# Encoded account ids are short lower-case keys (``a07e1lxqqqo0``); anything else names no account.
ENCODED_ACCOUNT_ID = re.compile(r"[a-z0-9]{8,32}")


def login_name_free(name: str, field: str = "login_name") -> str:
    """``name`` if it has only the allowed characters and no user has it yet (409 when taken)."""
    if not LOGIN_NAME.fullmatch(name):
        raise bad_request(f"{field}: may contain only letters, digits and - _ @ . +")
    if get_user_model().objects.filter(username__iexact=name).exists():
        raise conflict(f"{field}: {name!r} is already taken", key="api.login_name.conflict")
    return name


def email(value: str, field: str) -> str:
    """A well-formed email address."""
    try:
        validate_email(value)
    except ValidationError:
        raise bad_request(f"{field}: {value!r} is not a valid email address") from None
    return value


def http_uri(value: str, field: str) -> str:
    """An absolute http or https URI with a host."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request(f"{field}: must be an http:// or https:// URI with a host")
    return value


def encoded_account_id(raw: str) -> str:
    """A path's ``encoded_account_id``; malformed, the declared 400."""
    if not ENCODED_ACCOUNT_ID.fullmatch(raw):
        raise bad_request(f"encoded_account_id: {raw!r} is not an encoded account id")
    return raw


def topic_id(raw: str) -> int:
    """A path's ``topic_id``: 1 to 4 (a string in paths, SPEC-NOTES); anything else the declared 400."""
    if raw not in ("1", "2", "3", "4"):
        raise bad_request(f"topic_id: {raw!r} is not a topic id from 1 to 4")
    return int(raw)


def refuse(field: str, problem: str) -> V3Error:
    """400 naming the field."""
    return bad_request(f"{field}: {problem}")
