"""The embedded default for `make run`: SQLite and a file broker under var/, debug on."""

from __future__ import annotations

import os

# A fixed development key is fine here and only here; production refuses to start without one.
os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DJANGO_DEBUG", "true")

from .base import *  # noqa: E402,F403

WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405 - SQLite, the file broker and the cache live here
