"""Reading the environment with errors that name the variable at fault."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def read(name: str, parse: Callable[..., Any], **kwargs: Any) -> Any:
    """Read ``name`` with ``parse`` (an ``env`` method or one below); a bad value stops start-up naming it.

    django-environ names a *missing* variable, but a malformed one surfaces as whatever the parser
    raised (KeyError for an unknown URL scheme, ValueError for ``DEBUG=maybe``, "Invalid email
    schema" for EMAIL_URL), none of which says which variable to fix.
    """
    try:
        return parse(name, **kwargs)
    except ImproperlyConfigured as exc:
        if name in str(exc):
            raise
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc
    except Exception as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc!r}") from exc


def require(names: Iterable[str], where: str) -> None:
    """Stop start-up naming every variable in ``names`` that is unset or blank (``where`` needs them).

    A blank value counts as missing: compose passes ``VAR=`` for a variable left out of ``.env``,
    and an empty secret key or host list would otherwise start a server that cannot work.
    """
    missing = [name for name in names if not os.environ.get(name, "").strip()]
    if missing:
        raise ImproperlyConfigured(f"Set the environment variable(s) {', '.join(missing)}: {where} requires them")


def read_bool(name: str, default: bool) -> bool:
    """A strict boolean: only the usual spellings, anything else is an error naming ``name``."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"Environment variable {name} is malformed: {raw!r} is not a boolean")


def positive_int(name: str, default: int) -> int:
    """A whole number of at least 1 (a period, a limit), where 0 or less would be a mistake."""
    value: int = env.int(name, default=default)
    if value < 1:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {value} is not a positive whole number")
    return value


def db_url(name: str, default: str) -> dict[str, Any]:
    """A database URL with a scheme django-environ knows, parsed into a ``DATABASES`` entry.

    django-environ passes an unknown scheme through as the engine name, so ``nonsense://x`` would
    only fail later, in Django, with a message about backends rather than about ``name``.
    """
    raw = env.str(name, default=default)
    scheme = _scheme(raw)
    if scheme not in env.DB_SCHEMES:
        # Name only the scheme: the rest of a database URL usually holds a password.
        raise ImproperlyConfigured(
            f"Environment variable {name} is malformed: scheme {scheme!r} is not one of "
            f"{', '.join(sorted(env.DB_SCHEMES))}"
        )
    config: dict[str, Any] = env.db_url_config(raw)
    return config


def url(name: str, schemes: Iterable[str] | None = None, default: str | None = None) -> str:
    """A ``scheme://...`` URL (scheme one of ``schemes`` when given; http(s) with a host), unchanged.

    Broker, cache and site URLs are plain strings to Django and Celery, which would accept
    ``localhost:6379`` here and fail at the first connection, far from start-up.
    """
    raw: str = env.str(name) if default is None else env.str(name, default=default)
    if raw == "" and default == "":
        return raw  # an empty default marks the variable optional: unset means "not used"
    scheme = _scheme(raw)
    allowed = set(schemes or ())
    if not scheme or (allowed and scheme not in allowed):
        expected = f"one of {', '.join(sorted(allowed))}" if allowed else "a URL scheme"
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: scheme {scheme!r} is not {expected}")
    if scheme in {"http", "https"} and not urlsplit(raw).hostname:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {scheme}:// URL without a host")
    return raw


def _scheme(raw: str) -> str:
    """The scheme of ``raw`` if it is written ``scheme://...``, else ``""``."""
    if "://" not in raw:
        return ""
    return urlsplit(raw).scheme
