"""Everything a client needs to know about one connection; the defaults are the real Constant Contact."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

TokenDict = dict[str, Any]
RateLimitBackendName = Literal["auto", "redis", "file", "memory", "off"]

CC_BASE_URL = "https://api.cc.email/v3"
CC_TOKEN_URL = "https://authz.constantcontact.com/oauth2/default/v1/token"  # noqa: S105 - a URL


@dataclass
class ClientConfig:
    """One connection to a V3 API: where it is, whose token, and how to share limits and refreshes.

    Pointing the client at the built-in service instead of Constant Contact changes ``base_url``
    and ``token_url`` only (e.g. ``http://127.0.0.1:8000/v3`` and
    ``http://127.0.0.1:8000/oauth2/default/v1/token``).
    """

    base_url: str = CC_BASE_URL
    token_url: str = CC_TOKEN_URL
    client_id: str = ""
    # None for a public (PKCE) client: the refresh then sends client_id in the body instead of Basic auth.
    client_secret: str | None = None
    # As requests-oauthlib keeps it: access_token, refresh_token, expires_at (epoch seconds) ...
    token: TokenDict = field(default_factory=dict)
    # Called with each rotated token while the refresh lock is still held, so it must persist
    # the token before another process may read it back through ``token_loader``.
    token_updater: Callable[[TokenDict], None] | None = None
    # Returns the latest persisted token; consulted after waiting for the refresh lock, because
    # another process may have refreshed already (refresh tokens rotate: using the old one fails).
    token_loader: Callable[[], TokenDict | None] | None = None
    # Names the connection for the refresh lock; clients of the same connection must share it.
    # None gives each client its own key (no coordination beyond the client itself).
    connection_key: str | None = None
    # Shared state for several processes/machines: the rate-limit counts and the refresh lock.
    redis_url: str | None = None
    rate_limit_per_second: int = 4
    rate_limit_per_day: int = 10_000
    # auto: Redis when redis_url is set, else the file backend (one machine).
    rate_limit_backend: RateLimitBackendName = "auto"
    rate_limit_dir: str | None = None
    rate_limit_max_wait: float = 30.0
    # Backoff on a server's 429 ``throttled``: at most this many retries, honouring Retry-After,
    # otherwise exponential from ``backoff_base`` with full jitter, never more than ``backoff_max``.
    throttle_retries: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    timeout: float = 30.0
    refresh_lock_wait: float = 30.0
    # Technology-partner operations also need the partner's API key in ``x-api-key``.
    api_key: str | None = None
