"""The request core: one OAuth2 session per connection, and the only place a request is sent.

Every call goes: rate-limit slot -> request (refreshing first if the token has expired) ->
on 401, one locked refresh and one retry -> on 429 ``throttled``, backoff and retry -> the
response decoded, or the matching exception raised.
"""

from __future__ import annotations

import os
import random
import re
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import quote

import requests
from oauthlib.oauth2 import OAuth2Error
from requests.adapters import HTTPAdapter
from requests_oauthlib import OAuth2Session

from .config import ClientConfig, TokenDict
from .errors import ErrorDetail, Throttled, Unauthorized, error_for
from .extensions import OPERATIONS
from .locks import RefreshLock
from .ratelimit import Backend, FileBackend, MemoryBackend, RateLimiter, RedisBackend
from .table import Operation, Param

USER_AGENT = "ctctdash-v3-client/1"
_PATH_PARAM = re.compile(r"{(\w+)}")
# A token this close to its expiry is treated as expired: it could lapse while the request travels.
_EXPIRY_MARGIN = 5.0


def _expired(token: Mapping[str, Any]) -> bool:
    expires_at = token.get("expires_at")
    try:
        return expires_at is not None and float(expires_at) <= time.time() + _EXPIRY_MARGIN
    except (TypeError, ValueError):
        return False


@cache
def _connection_pool(pid: int) -> HTTPAdapter:
    """Keep-alive connections shared by every client of this process (keyed by pid: never across a fork).

    A client lives for one page or one task, so a pool of its own would open a new TCP and TLS
    connection to the API for every page; shared, a page reuses one. urllib3's pools are
    thread-safe, and a client never closes this adapter (see ``Core.close``).
    """
    return HTTPAdapter(pool_connections=10, pool_maxsize=20)


class _Session(OAuth2Session):  # requests-oauthlib ships no types, so this is a subclass of Any to mypy
    """An OAuth2Session whose refreshes, automatic or after a 401, all go through the core's lock."""

    def __init__(self, core: Core, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._core = core

    def refresh_token(self, token_url: str, *args: Any, **kwargs: Any) -> TokenDict:
        """requests-oauthlib's automatic refresh lands here when the token has expired.

        Its arguments are dropped: on that path requests-oauthlib passes the original request's
        keyword arguments (``params``, ``json``) along, and they do not belong in a token request.
        """
        return self._core.refresh(self.token.get("access_token"))

    def fetch_refreshed(self, token_url: str, auth: Any, timeout: float, **body: Any) -> TokenDict:
        """The refresh_token grant itself, unlocked; only ``Core.refresh`` calls it."""
        token: TokenDict = OAuth2Session.refresh_token(self, token_url, auth=auth, timeout=timeout, **body)
        return token


def _persisted_under_lock(token: TokenDict) -> None:
    """requests-oauthlib's token_updater: a no-op, since Core.refresh persisted the token while locked."""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _encoded(param: Param, value: Any) -> str | list[str]:
    """A query or form value as the spec wants it: lists comma-joined, or repeated when ``multi``."""
    if param.many and not isinstance(value, str | bytes):
        items = [_text(item) for item in value]
        return items if param.explode else ",".join(items)
    return _text(value)


def _file(param: Param, value: Any) -> tuple[Any, ...]:
    """A multipart file part; read once up front so that a retry sends the same bytes again."""
    filename, content, *rest = value if isinstance(value, tuple) else (getattr(value, "name", param.name), value)
    if hasattr(content, "read"):
        content = content.read()
    return (os.path.basename(str(filename)), content, *rest)


def build_limiter(config: ClientConfig, sleep: Callable[[float], None] = time.sleep) -> RateLimiter | None:
    """The limiter the configuration asks for; one count per application (client id)."""
    choice = config.rate_limit_backend
    if choice == "off":
        return None
    backend: Backend
    if choice == "redis" or (choice == "auto" and config.redis_url):
        if not config.redis_url:
            raise ValueError("rate_limit_backend='redis' needs redis_url")
        backend = RedisBackend(config.redis_url)
    elif choice == "memory":
        backend = MemoryBackend()
    else:
        backend = FileBackend(config.rate_limit_dir)
    return RateLimiter(
        backend,
        key=f"app:{config.client_id}",
        per_second=config.rate_limit_per_second,
        per_day=config.rate_limit_per_day,
        max_wait=config.rate_limit_max_wait,
        sleep=sleep,
    )


class Core:
    """Sends V3 requests for one connection; resource groups and iterators call it by operation id."""

    def __init__(self, config: ClientConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.limiter = build_limiter(config, sleep)
        self.refresh_lock = RefreshLock(
            config.connection_key or f"{config.client_id}:{uuid.uuid4().hex}",
            config.redis_url,
            wait=config.refresh_lock_wait,
        )
        self._sleep = sleep
        self.session = _Session(
            self,
            client_id=config.client_id,
            token=dict(config.token),
            auto_refresh_url=config.token_url,
            token_updater=_persisted_under_lock,
        )
        self.session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
        pool = _connection_pool(os.getpid())
        self.session.mount("https://", pool)
        self.session.mount("http://", pool)

    # --- building requests -------------------------------------------------------------------

    def call(self, operation_id: str, arguments: Mapping[str, Any]) -> Any:
        """Call one operation; ``arguments`` are its parameters by spec name, plus ``body``."""
        op = OPERATIONS[operation_id]
        self.check_arguments(op, arguments)
        query = {
            p.name: _encoded(p, arguments[p.name]) for p in op.params_in("query") if arguments.get(p.name) is not None
        }
        kwargs: dict[str, Any] = {"params": query}
        if op.body == "json":
            if arguments.get("body") is None and op.body_required:
                raise TypeError(f"{operation_id} needs a body")
            if arguments.get("body") is not None:
                kwargs["json"] = arguments["body"]
        elif op.body == "multipart":
            form = [(p, arguments.get(p.name)) for p in op.params_in("form")]
            kwargs["files"] = {p.name: _file(p, v) for p, v in form if p.kind == "file" and v is not None}
            kwargs["data"] = {p.name: _encoded(p, v) for p, v in form if p.kind != "file" and v is not None}
        response = self.send(op.method, self.url_for(op, arguments), api_key=op.api_key, **kwargs)
        return decode(response)

    def check_arguments(self, op: Operation, arguments: Mapping[str, Any]) -> None:
        """``TypeError`` for an argument the operation does not take (a typo would otherwise go unsent)."""
        known = {p.name for p in op.params} | ({"body"} if op.body == "json" else set())
        unknown = sorted(set(arguments) - known)
        if unknown:
            raise TypeError(f"{op.id} takes no {', '.join(unknown)}; it takes {', '.join(sorted(known))}")

    def url_for(self, op: Operation, arguments: Mapping[str, Any]) -> str:
        """The operation's URL with each path parameter filled in and escaped."""

        def fill(match: re.Match[str]) -> str:
            value = arguments.get(match.group(1))
            if value is None:
                raise TypeError(f"{op.id} needs {match.group(1)}")
            return quote(_text(value), safe="")

        return self.base_url + _PATH_PARAM.sub(fill, op.path)

    def get_url(self, url: str) -> Any:
        """GET an absolute URL of this API (a ``_links`` href) through the same limits and retries."""
        return decode(self.send("GET", url))

    # --- sending -----------------------------------------------------------------------------

    def send(self, method: str, url: str, api_key: bool = False, **kwargs: Any) -> requests.Response:
        """Send one request; refresh once on 401, back off on ``throttled``; raise on failure."""
        headers = {"x-api-key": self.config.api_key} if api_key and self.config.api_key else {}
        refreshed = False
        throttled = 0
        while True:
            if self.limiter is not None:
                self.limiter.acquire()
            sent_token = self.session.token.get("access_token")
            response = self.session.request(method, url, headers=headers, timeout=self.config.timeout, **kwargs)
            if response.status_code < 400:
                return response
            error = error_for(response)
            if response.status_code == 401 and not refreshed and self._can_renew():
                # Exactly one renewal per call: a token that fails again right after is not retried.
                refreshed = True
                self.refresh(sent_token)
                continue
            if isinstance(error, Throttled) and throttled < self.config.throttle_retries:
                delay = self._backoff(throttled, error.retry_after)
                if delay is not None:
                    throttled += 1
                    self._sleep(delay)
                    continue
            raise error

    def _backoff(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry ``attempt``: never sooner than Retry-After; None to give up."""
        if retry_after is not None and retry_after > self.config.backoff_max:
            return None  # the server asks for longer than the caller is willing to wait
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2**attempt)
        jittered = random.uniform(0, ceiling)  # noqa: S311 - full jitter spreads out competing clients
        return max(retry_after or 0.0, jittered)

    # --- tokens ------------------------------------------------------------------------------

    def _can_renew(self) -> bool:
        return bool(self.session.token.get("refresh_token")) or self.config.token_loader is not None

    def _fresher_token(self, stale: str | None) -> TokenDict | None:
        """A usable token other than ``stale``, if another thread or process refreshed meanwhile."""
        current: TokenDict = self.session.token
        if current.get("access_token") != stale and not _expired(current):
            return current
        loaded = self.config.token_loader() if self.config.token_loader else None
        if loaded and loaded.get("access_token") != stale and not _expired(loaded):
            return loaded
        return None

    def refresh(self, stale: str | None) -> TokenDict:
        """Replace the access token ``stale`` once per connection, whoever asks first.

        Under the connection's lock: if someone else already replaced it, use theirs; otherwise
        run the refresh grant and hand the rotated token to ``token_updater`` before unlocking.
        """
        with self.refresh_lock.hold():
            fresher = self._fresher_token(stale)
            if fresher is not None:
                self.session.token = fresher
                return fresher
            if not self.session.token.get("refresh_token"):
                message = "The access token is no longer accepted and there is no refresh token to renew it."
                raise Unauthorized(401, [ErrorDetail("unauthorized", message)])
            try:
                token = self.session.fetch_refreshed(self.config.token_url, **self._client_auth())
            except OAuth2Error as exc:
                detail = ErrorDetail(exc.error, exc.description or exc.error)
                raise Unauthorized(exc.status_code or 401, [detail]) from exc
            if self.config.token_updater is not None:
                self.config.token_updater(dict(token))
            return token

    def _client_auth(self) -> dict[str, Any]:
        """Confidential clients authenticate with Basic auth; public (PKCE) clients name themselves."""
        common = {"timeout": self.config.timeout}
        if self.config.client_secret:
            return {**common, "auth": requests.auth.HTTPBasicAuth(self.config.client_id, self.config.client_secret)}
        return {**common, "auth": None, "client_id": self.config.client_id}

    def close(self) -> None:
        """Let go of the session; its connections stay in the process's pool for the next client."""
        self.session.adapters.clear()  # Session.close() would close the shared pool's connections
        self.session.close()


def decode(response: requests.Response) -> Any:
    """A success body: parsed JSON, text for other content types, None when there is none."""
    if response.status_code == 204 or not response.content:
        return None
    if "json" in response.headers.get("Content-Type", ""):
        return response.json()
    return response.text
