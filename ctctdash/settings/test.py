"""Settings for the test suite: SQLite and an in-process broker unless the environment says otherwise."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CTCTDASH_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "var", "test"))

from .base import *  # noqa: E402,F403
from .base import DATABASES, REDIS_URL  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so worker processes can share it; per process so that concurrent
    # runs on one machine do not flush each other's tables.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405

if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
if not os.environ.get("EMAIL_URL"):  # a test's worker process may be pointed at a real SMTP sink
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not os.environ.get("CTCTDASH_SMS_BACKEND"):
    CTCTDASH_SMS_BACKEND = "apps.v3.sms.backends.memory.MemoryBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True

# Tests fire many requests a second from one application; the rate-limit tests lower these.
V3_RATE_LIMIT_PER_SECOND = 100_000
V3_RATE_LIMIT_PER_DAY = 10_000_000
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405 - the SQLite test database lives here
# Files are served from the finders, but whitenoise warns on every request when STATIC_ROOT is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
