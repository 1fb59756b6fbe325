"""A request-rate limiter shared by every process that calls the API for one application.

Constant Contact counts requests per application (API key): 4 a second and 10,000 a day by
default. Every process using the same key must draw from the same budget, so the count lives
outside the process: in Redis when several machines share it, or in a locked file on one
machine. The in-memory backend exists to test the limiter itself.

The per-second limit is a sliding log (no more than N requests in ANY one-second span), which
keeps under a fixed-window limit on the server whatever its window boundaries are. The daily
count is a fixed UTC day, like the service's own.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import redis

from .errors import QUOTA_EXCEEDED, THROTTLED, ErrorDetail, QuotaExceeded, Throttled

WINDOW = 1.0  # seconds: the span the per-second limit counts over
DAY = 86_400
# Waiting processes would otherwise all wake at the instant a slot frees and collide again.
_WAKE_JITTER = 0.02


@dataclass(frozen=True)
class Slot:
    """A backend's answer: granted, or how long until a slot frees, or the day's quota is spent."""

    granted: bool
    wait: float = 0.0
    quota_spent: bool = False


class Backend(Protocol):
    """Where the counts live; ``take`` must be atomic across every process sharing ``key``."""

    def take(self, key: str, per_second: int, per_day: int) -> Slot:
        """Record one request if both limits allow it now."""
        ...


@dataclass
class _Log:
    """One key's counts: request times in the current window and the day's total."""

    recent: list[float] = field(default_factory=list)
    day: int = -1
    count: int = 0


def _decide(log: _Log, now: float, per_second: int, per_day: int) -> Slot:
    """The sliding-log rule shared by the memory and file backends (Redis runs it in Lua)."""
    today = int(now // DAY)
    if log.day != today:
        log.day, log.count = today, 0
    if log.count >= per_day:
        return Slot(False, quota_spent=True)
    log.recent = [t for t in log.recent if t > now - WINDOW]
    if len(log.recent) >= per_second:
        # The slot frees when the oldest of the last ``per_second`` requests leaves the window.
        return Slot(False, wait=max(0.0, log.recent[-per_second] + WINDOW - now))
    log.recent.append(now)
    log.count += 1
    return Slot(True)


class MemoryBackend:
    """Counts in this process only; for tests of the limiter and single-process scripts."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._logs: dict[str, _Log] = {}

    def take(self, key: str, per_second: int, per_day: int) -> Slot:
        """Record one request if both limits allow it now."""
        with self._lock:
            return _decide(self._logs.setdefault(key, _Log()), self._clock(), per_second, per_day)


class FileBackend:
    """Counts in a small JSON file per key, under an exclusive ``flock``: every process on one machine."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory or Path(tempfile.gettempdir()) / "ctct-ratelimit")
        self.directory.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        """The file holding ``key``'s counts (hashed: keys may hold characters a file name cannot)."""
        return self.directory / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")

    def take(self, key: str, per_second: int, per_day: int) -> Slot:
        """Record one request if both limits allow it now."""
        # A fresh open file per call: flock locks belong to the open file, so the threads of one
        # process exclude each other as well as other processes. Closing it flushes, then unlocks.
        fd = os.open(self.path_for(key), os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            log = _load(handle.read())
            slot = _decide(log, time.time(), per_second, per_day)
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"recent": log.recent, "day": log.day, "count": log.count}))
        return slot


def _load(text: str) -> _Log:
    try:
        raw: Any = json.loads(text)
        return _Log([float(t) for t in raw["recent"]], int(raw["day"]), int(raw["count"]))
    except (ValueError, KeyError, TypeError):
        return _Log()  # a new or damaged file starts the count afresh


# KEYS[1]: the window's sorted set; KEYS[2]: the day counter's prefix. ARGV: per_second, per_day,
# a unique member. Redis's own clock is used so that machines with skewed clocks agree.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local day_key = KEYS[2] .. ':' .. math.floor(now / 86400)
local per_second, per_day = tonumber(ARGV[1]), tonumber(ARGV[2])
if tonumber(redis.call('GET', day_key) or '0') >= per_day then
  return {0, '0', 1}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1)
local n = redis.call('ZCARD', KEYS[1])
if n >= per_second then
  local oldest = redis.call('ZRANGE', KEYS[1], n - per_second, n - per_second, 'WITHSCORES')
  return {0, tostring(tonumber(oldest[2]) + 1 - now), 0}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], 2000)
redis.call('INCR', day_key)
redis.call('EXPIRE', day_key, 90000)
return {1, '0', 0}
"""


@cache
def redis_client(url: str) -> redis.Redis:
    """One connection pool per Redis URL for the whole process."""
    return redis.Redis.from_url(url)


class RedisBackend:
    """Counts in Redis, checked and updated by one Lua script so the decision is atomic."""

    def __init__(self, url: str, prefix: str = "ctct:rl") -> None:
        self.client = redis_client(url)
        self.prefix = prefix
        self._script = self.client.register_script(_TAKE)

    def take(self, key: str, per_second: int, per_day: int) -> Slot:
        """Record one request if both limits allow it now."""
        keys = [f"{self.prefix}:s:{key}", f"{self.prefix}:d:{key}"]
        granted, wait, spent = self._script(keys=keys, args=[per_second, per_day, uuid.uuid4().hex])
        # Lua numbers come back as integers, so the fractional wait travels as a string.
        return Slot(bool(granted), float(wait), bool(spent))


class RateLimiter:
    """Waits (bounded) for a request slot before each request; raises when none can be had."""

    def __init__(
        self,
        backend: Backend,
        key: str,
        per_second: int = 4,
        per_day: int = 10_000,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.key = key
        self.per_second = per_second
        self.per_day = per_day
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock

    def acquire(self) -> None:
        """Block until this process may send one request; count it."""
        deadline = self._clock() + self.max_wait
        while True:
            slot = self.backend.take(self.key, self.per_second, self.per_day)
            if slot.granted:
                return
            if slot.quota_spent:
                message = f"The client's daily limit of {self.per_day} requests for this application is used up."
                raise QuotaExceeded(429, [ErrorDetail(QUOTA_EXCEEDED, message)])
            wait = slot.wait + random.uniform(0, _WAKE_JITTER)  # noqa: S311 - jitter, not security
            if self._clock() + wait > deadline:
                message = f"No request slot within {self.max_wait:g} s ({self.per_second} requests/second)."
                raise Throttled(429, [ErrorDetail(THROTTLED, message)], retry_after=slot.wait)
            self._sleep(wait)
