"""Production: every secret from the environment, HTTPS everywhere."""

from __future__ import annotations

from .base import *  # noqa: F403
from .environment import env, read, read_bool

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = read_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = read("DJANGO_SECURE_HSTS_SECONDS", env.int, default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATABASES["default"]["CONN_MAX_AGE"] = read("DJANGO_CONN_MAX_AGE", env.int, default=60)  # noqa: F405
