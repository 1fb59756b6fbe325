"""Reading the environment with errors that name the variable at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def read(name: str, parse: Callable[..., Any], **kwargs: Any) -> Any:
    """Read ``name`` with ``parse`` (an ``env`` method); a bad value stops start-up naming it.

    django-environ already names a *missing* variable; a malformed one surfaces as whatever the
    parser raised (KeyError for an unknown URL scheme, ValueError for ``DEBUG=maybe``), which
    does not say which variable to fix.
    """
    try:
        return parse(name, **kwargs)
    except ImproperlyConfigured:
        raise
    except Exception as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc!r}") from exc


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
