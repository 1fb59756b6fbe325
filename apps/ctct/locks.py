"""One token refresh at a time per connection: across threads, and across processes through Redis.

The service rotates refresh tokens and treats a reused one as theft (it revokes the whole grant),
so two refreshes racing with the same refresh token would disconnect the account. Whoever holds
the lock refreshes; whoever waited re-reads the token instead (see ``Core._refresh``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from redis.exceptions import LockError

from .ratelimit import redis_client

_registry_lock = threading.Lock()
_thread_locks: dict[str, threading.Lock] = {}


class RefreshLockTimeout(TimeoutError):
    """Another refresher held the connection's lock for longer than the client would wait."""


def _thread_lock(key: str) -> threading.Lock:
    with _registry_lock:
        return _thread_locks.setdefault(key, threading.Lock())


class RefreshLock:
    """A lock named by a connection key; Redis-backed as well when a Redis URL is given."""

    def __init__(self, key: str, redis_url: str | None = None, wait: float = 30.0, lease: float = 60.0) -> None:
        self.key = key
        self.redis_url = redis_url
        self.wait = wait
        # The Redis lock expires after ``lease`` seconds so a process killed mid-refresh cannot
        # block the connection for ever; a refresh is one HTTP call, far shorter.
        self.lease = lease

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock for the body of a ``with`` block; raise RefreshLockTimeout after ``wait``."""
        local = _thread_lock(self.key)
        if not local.acquire(timeout=self.wait):
            raise RefreshLockTimeout(f"refresh lock {self.key!r} busy for {self.wait:g} s")
        try:
            if self.redis_url is None:
                yield
                return
            shared = redis_client(self.redis_url).lock(
                f"ctct:refresh:{self.key}", timeout=self.lease, blocking_timeout=self.wait
            )
            if not shared.acquire():
                raise RefreshLockTimeout(f"refresh lock {self.key!r} busy in another process for {self.wait:g} s")
            try:
                yield
            finally:
                # If the lease ran out first another process may hold the lock now: leave it alone.
                with suppress(LockError):
                    shared.release()
        finally:
            local.release()
