"""Settings shared by every environment, read from the environment with django-environ."""

from __future__ import annotations

from pathlib import Path

from .environment import db_url, env, positive_int, read, read_bool, url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(read("CTCTDASH_VAR_DIR", env.str, default=str(BASE_DIR / "var")))

# ---------------------------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------------------------
SECRET_KEY = read("DJANGO_SECRET_KEY", env.str)
DEBUG = read_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS: list[str] = read("DJANGO_ALLOWED_HOSTS", env.list, default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = read("DJANGO_CSRF_TRUSTED_ORIGINS", env.list, default=[])

ROOT_URLCONF = "ctctdash.urls"
WSGI_APPLICATION = "ctctdash.wsgi.application"
ASGI_APPLICATION = "ctctdash.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "oauth2_provider",
    "django_htmx",
    "template_partials",
    "django_celery_results",
    "django_celery_beat",
]
LOCAL_APPS = [
    "apps.v3",
    "apps.accounts",
    "apps.contacts",
    "apps.jobs",
    "apps.campaigns",
    "apps.reporting",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything else under it, so that every /v3/ error it sees ends in the spec's envelope.
    "apps.v3.gate.middleware.V3ErrorEnvelopeMiddleware",
    # Its page sibling: a 404 or 500 outside /v3/ is the project's own page, DEBUG or not.
    "ctctdash.errors.OwnErrorPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # ``{% load dates %}``: how every page shows a date and time.
            "libraries": {"dates": "ctctdash.pages.date_tags"},
        },
    }
]

# ---------------------------------------------------------------------------------------------
# Data: the database, the cache
# ---------------------------------------------------------------------------------------------
DATABASES = {
    "default": read("DATABASE_URL", db_url, default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to one SQLite file. IMMEDIATE takes the write lock when
    # a transaction starts (instead of failing a later write with "database is locked"), and
    # the timeout lets a writer wait for a batch the other process is committing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner costs for SSD storage: with the default random_page_cost of 4, the first contacts
    # page of an account whose rows come late in id order scans everyone else's
    # (docs/decisions/contacts.md#postgresql-random-page-cost).
    # A DATABASE_URL that passes its own ?options= keeps them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c random_page_cost=1.1")

# Rate limits are counted in the cache, so it must be shared by every process: Redis when
# REDIS_URL is set, otherwise a file cache under var/ that all local processes see.
REDIS_URL = read("REDIS_URL", url, schemes=["redis", "rediss", "unix"], default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# ---------------------------------------------------------------------------------------------
# Auth
# ---------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"

# ---------------------------------------------------------------------------------------------
# Internationalisation, static files
# ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# Chart.js comes from npm (package.json; `npm ci` at install), served from its dist folder.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist")]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ---------------------------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------------------------
# EMAIL_URL unset: the outbox (ctctdash/outbox.py), one .eml file per message under var/outbox/,
# listed at /m/outbox/, so `make run` mails campaigns with no mail server; smtp://host:port sends.
EMAIL_OUTBOX_DIR = VAR_DIR / "outbox"
if env.str("EMAIL_URL", default=""):
    vars().update(read("EMAIL_URL", env.email_url))
else:
    EMAIL_BACKEND = "ctctdash.outbox.OutboxBackend"
DEFAULT_FROM_EMAIL = read("DEFAULT_FROM_EMAIL", env.str, default="ctctdash <noreply@localhost>")

# ---------------------------------------------------------------------------------------------
# SMS
# ---------------------------------------------------------------------------------------------
# The SMS backend, a dotted path (apps/v3/sms/backends/): by default an outbox of one .json file per
# text under var/sms-outbox/, so `manage.py send_sms_campaign` works with no SMS gateway.
CTCTDASH_SMS_BACKEND = read("CTCTDASH_SMS_BACKEND", env.str, default="apps.v3.sms.backends.outbox.OutboxBackend")
SMS_OUTBOX_DIR = VAR_DIR / "sms-outbox"
# When set, the STOP reply webhook (/s/inbound) answers only requests carrying ?token=<this>.
CTCTDASH_SMS_INBOUND_TOKEN = read("CTCTDASH_SMS_INBOUND_TOKEN", env.str, default="")

# ---------------------------------------------------------------------------------------------
# Celery (CELERY_ namespace, read by ctctdash/celery.py)
# ---------------------------------------------------------------------------------------------
# The file broker ignores the host, but kombu warns at every start when the URL names none.
CELERY_BROKER_URL = read("CELERY_BROKER_URL", url, default="filesystem://localhost/")
# Redis keeps an unacknowledged (acks_late) task for this long before handing it to another
# worker. Bulk activities do not depend on it (a stale activity is re-enqueued from its own
# heartbeat) and a second delivery does nothing, so the hour is only a backstop, stated here.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded default: a broker made of files under var/, so `make run` needs no server.
    _queue_dir = VAR_DIR / "celery" / "queue"
    for _folder in (_queue_dir, VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)  # kombu expects them to exist
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks, by task name; the database scheduler copies them into its tables when beat starts.
CELERY_BEAT_SCHEDULE = {
    # Every minute: bulk activities a dead worker held, or whose message a broker lost, go back to a queue.
    "v3: re-enqueue stale bulk activities": {"task": "v3.activities.requeue_stale", "schedule": 60.0},
    # Hourly: a file outlives its retention period by at most an hour; a sweep that finds nothing
    # due costs one query.
    "v3: delete expired bulk activity files": {"task": "v3.activities.sweep_files", "schedule": 3600.0},
    # Every 30 seconds: campaigns whose scheduled date came, A/B winners and resends that are due
    # start within half a minute; runs whose worker went quiet go back to a queue.
    "v3: dispatch email campaigns": {"task": "v3.campaigns.dispatch", "schedule": 30.0},
    # Every minute: partner cancellations and trials that are due, tiers crossed, and the webhook
    # retries (each refused notification is tried again a minute later, for an hour).
    "v3: partner billing and webhook retries": {"task": "v3.partners.sweep", "schedule": 60.0},
    # Every 10 seconds: the report rollups fold the sends and tracking events written since their
    # watermark, so a report request rarely has anything left to fold
    # (docs/decisions/reporting.md#rollups-catch-up-from-a-watermark).
    "v3: catch up report rollups": {"task": "v3.reporting.catch_up", "schedule": 10.0},
}
# Seconds before each retry of a campaign send that failed on the mail server or the database;
# after the last, the send is ERRORED (apps/v3/campaigns/engine/tasks.py).
V3_SEND_RETRY_DELAYS = (30, 120, 600)

# ---------------------------------------------------------------------------------------------
# The built-in V3 service and where the dashboard finds it
# ---------------------------------------------------------------------------------------------
# `make run` serves on PORT; the default follows it so that every manage.py command run beside it
# (issue_token, bootstrap_demo) names the address that server answers on and the issuer it expects.
PORT = positive_int("PORT", 8000)
SITE_URL = read("CTCTDASH_SITE_URL", url, schemes=["http", "https"], default=f"http://127.0.0.1:{PORT}").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": read("DJANGO_LOG_LEVEL", env.str, default="INFO")},
}

# ---------------------------------------------------------------------------------------------
# The V3 authorization server (django-oauth-toolkit at Constant Contact's own paths)
# ---------------------------------------------------------------------------------------------
# RS256 key that signs access tokens. Unset outside production: a key is made once under var/.
V3_JWT_PRIVATE_KEY = read("V3_JWT_PRIVATE_KEY", env.str, default="")
V3_JWT_KEY_FILE = VAR_DIR / "jwt-signing-key.pem"
V3_RATE_LIMIT_PER_SECOND = read("V3_RATE_LIMIT_PER_SECOND", env.int, default=4)
V3_RATE_LIMIT_PER_DAY = read("V3_RATE_LIMIT_PER_DAY", env.int, default=10_000)
V3_PARTNER_SCOPE = "v3api/general.partner"
V3_ACCESS_TOKEN_LIFETIME = 24 * 60 * 60
# Days an export's CSV file (and a failed import's upload) is kept after the activity finished:
# GET /activities lists the last 10 days of activities, so every listed export still has its file.
V3_ACTIVITY_FILES_KEPT_DAYS = read("V3_ACTIVITY_FILES_KEPT_DAYS", positive_int, default=10)
# Hours an account email's confirmation link works; Django's password reset links last as long.
V3_EMAIL_CONFIRM_LINK_HOURS = read("V3_EMAIL_CONFIRM_LINK_HOURS", positive_int, default=72)
# Days a contact's resubscribe link works. Longer than the account-email link: the spec lets the
# account send that mail only once, so an expired link leaves the contact only the sign-up form;
# a month outlasts holidays and slow inboxes while an answer older than that is no longer one
# to the account's request.
V3_RESUBSCRIBE_LINK_DAYS = read("V3_RESUBSCRIBE_LINK_DAYS", positive_int, default=30)

OAUTH2_PROVIDER = {
    "SCOPES": {
        "account_read": "Read account data",
        "account_update": "Modify account data",
        "contact_data": "Read or modify contact data",
        "campaign_data": "Read or modify email campaign data",
        "offline_access": "Stay connected (refresh tokens)",
        V3_PARTNER_SCOPE: "General partner API methods",
    },
    "DEFAULT_SCOPES": ["account_read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": V3_ACCESS_TOKEN_LIFETIME,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 300,
    "ACCESS_TOKEN_GENERATOR": "apps.v3.oauth.tokens.generate_access_token",
    "OAUTH2_VALIDATOR_CLASS": "apps.v3.oauth.validators.V3OAuth2Validator",
    "OAUTH2_SERVER_CLASS": "apps.v3.oauth.server.V3Server",
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "REQUEST_APPROVAL_PROMPT": "force",
    # RFC 9700 (OAuth 2.0 Security BCP), in every environment so tests run what production runs:
    # no password grant, S256 only, no tokens in query strings, `iss` on authorization responses,
    # tokens hashed at rest, rotating refresh tokens, exact redirect matching. Two gates stay off on
    # purpose: the spec declares the implicit flow, and Constant Contact lets confidential clients
    # use the code flow without PKCE, so integrations that change only the host keep working.
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": False,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": False,
}
# W001 is the warning for exactly the implicit-grant gate above, kept off because the spec
# declares that flow (securityDefinitions.oauth2_implicit).
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W001"]
# Named explicitly so migrations that point at these swappable models can be written.
# (Model labels, not secrets: S105 misreads "TOKEN" in the names.)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105

# ---------------------------------------------------------------------------------------------
# The dashboard's Constant Contact connection: the built-in service by default, or the real one
# (CTCT_API_BASE_URL=https://api.cc.email/v3, CTCT_AUTHORIZE_URL and CTCT_TOKEN_URL at
# https://authz.constantcontact.com/oauth2/default/v1/...).
# ---------------------------------------------------------------------------------------------
CTCT_API_BASE_URL = read("CTCT_API_BASE_URL", env.str, default=f"{SITE_URL}/v3")
CTCT_AUTHORIZE_URL = read("CTCT_AUTHORIZE_URL", env.str, default=f"{SITE_URL}/oauth2/default/v1/authorize")
CTCT_TOKEN_URL = read("CTCT_TOKEN_URL", env.str, default=f"{SITE_URL}/oauth2/default/v1/token")
CTCT_CLIENT_ID = read("CTCT_CLIENT_ID", env.str, default="ctctdash-dashboard")
CTCT_CLIENT_SECRET = read("CTCT_CLIENT_SECRET", env.str, default="")

# ---------------------------------------------------------------------------------------------
# Dashboard sign-in (allauth) and connections
# ---------------------------------------------------------------------------------------------
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "apps.accounts.providers.constantcontact",
]
# The built-in authorization server's pages keep a session cookie of their own (it must come
# before SessionMiddleware); apps/accounts/middleware.py says why.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "apps.accounts.middleware.ServiceSessionCookieMiddleware",
)
MIDDLEWARE += [
    "allauth.account.middleware.AccountMiddleware",
    "apps.accounts.middleware.ConnectionErrorMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # the service's own /oauth2/login/
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Dashboard users sign in only with Constant Contact: no local passwords, sign-up or resets.
SOCIALACCOUNT_ONLY = True
ACCOUNT_EMAIL_VERIFICATION = "none"
# Addresses come from Constant Contact logins, which two servers (real and built-in) may share.
ACCOUNT_UNIQUE_EMAIL = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # the flow starts from a POST form, so no link can start it
# allauth would keep tokens in plaintext (SocialToken); they live encrypted on Connection instead.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapters.SocialAccountAdapter"
CTCT_SCOPES = ["account_read", "account_update", "contact_data", "campaign_data", "offline_access"]
SOCIALACCOUNT_PROVIDERS = {"constantcontact": {"SCOPE": CTCT_SCOPES, "OAUTH_PKCE_ENABLED": True}}
# Local only: with CTCT_CLIENT_SECRET unset, the dashboard application's secret is read from the
# file `manage.py bootstrap_demo` writes (the built-in service's demo application).
CTCT_DEMO_SECRETS_FILE = VAR_DIR / "demo-secrets.json"
# The V3 client's own rate limit per application (Constant Contact's: 4 a second, 10,000 a day).
CTCT_RATE_LIMIT_PER_SECOND = read("CTCT_RATE_LIMIT_PER_SECOND", env.int, default=4)
CTCT_RATE_LIMIT_PER_DAY = read("CTCT_RATE_LIMIT_PER_DAY", env.int, default=10_000)
# The authorization server's pages (its login, consent and developer pages) and their cookie.
CTCTDASH_SERVICE_SESSION_PATHS = ["/oauth2/", "/developer/"]
CTCTDASH_SERVICE_SESSION_COOKIE_NAME = "ctct_authz_sessionid"


def _fernet_keys(name: str, default: list[str]) -> list[str]:
    """Comma-separated Fernet keys (32 url-safe base64 bytes each); errors never echo a key."""
    import base64
    import binascii

    keys: list[str] = [key.strip() for key in env.list(name, default=default) if key.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            raise ValueError(f"key {position} of {len(keys)} is not a Fernet key (32 url-safe base64 bytes)")
    return keys


# Keys encrypting stored OAuth tokens, newest first (apps/accounts/crypto.py). Required in
# production; unset elsewhere, a key is made once under var/.
FIELD_ENCRYPTION_KEYS = read("FIELD_ENCRYPTION_KEYS", _fernet_keys, default=[])
FIELD_ENCRYPTION_KEY_FILE = VAR_DIR / "field-encryption-key"


def _loopback_http(address: str) -> bool:
    """Whether ``address`` is plain http to this machine."""
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}


# oauthlib (under the V3 client) refuses plain http unless told, process-wide. The embedded default
# (`make run`, DEBUG on) serves the built-in service on loopback http, traffic that never leaves the
# machine, so there, and only there, it is told; tests set it themselves.
if DEBUG and _loopback_http(CTCT_API_BASE_URL) and _loopback_http(CTCT_TOKEN_URL):
    import os

    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
