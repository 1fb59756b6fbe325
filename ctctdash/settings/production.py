"""Production: every secret and every shared service from the environment, HTTPS everywhere.

The variables are listed, with examples, in ``docker/.env.example``.
"""

from __future__ import annotations

from .environment import env, read, read_bool, require

# Checked before base reads them, because base has a development default for each: outside a
# developer's machine those defaults would quietly give every process its own SQLite file, broker,
# cache, signing key and console "email", and links pointing at 127.0.0.1.
require(
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "CTCTDASH_SITE_URL",
        "V3_JWT_PRIVATE_KEY",
        "FIELD_ENCRYPTION_KEYS",
    ],
    where=__name__,
)

from .base import *  # noqa: E402,F403

# ---------------------------------------------------------------------------------------------
# HTTPS (TLS ends at the proxy in front of gunicorn, which says so in X-Forwarded-Proto)
# ---------------------------------------------------------------------------------------------
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

# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------
DATABASES["default"]["CONN_MAX_AGE"] = read("DJANGO_CONN_MAX_AGE", env.int, default=60)  # noqa: F405

# ---------------------------------------------------------------------------------------------
# The authorization server: redirect URIs must be https here; development keeps http for
# loopback callbacks (RFC 8252). The rest of its RFC 9700 settings live in base.
# ---------------------------------------------------------------------------------------------
OAUTH2_PROVIDER = {
    **OAUTH2_PROVIDER,  # noqa: F405
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
}
