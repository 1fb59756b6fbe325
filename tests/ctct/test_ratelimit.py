"""The shared rate limiter: its rule, and each backend, across processes where that is the point."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from apps.ctct import QuotaExceeded, Throttled
from apps.ctct.ratelimit import DAY, FileBackend, MemoryBackend, RateLimiter, RedisBackend

from . import workers
from .conftest import REDIS_URL


class FakeTime:
    """A clock the limiter sleeps on: sleeping advances it, so the rule is tested without waiting."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def limiter_on(clock: FakeTime, per_second: int = 4, per_day: int = 10_000, max_wait: float = 30) -> RateLimiter:
    return RateLimiter(
        MemoryBackend(clock), "app", per_second, per_day, max_wait=max_wait, sleep=clock.sleep, clock=clock
    )


def max_in_any_window(times: list[float], window: float = 1.0) -> int:
    """The most events inside any half-open span of ``window`` seconds."""
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times))


def test_memory_backend_allows_four_a_second_in_any_window() -> None:
    clock = FakeTime()
    limiter = limiter_on(clock)
    granted = []
    for _ in range(13):
        limiter.acquire()
        granted.append(clock.now)
    assert granted[:4] == [granted[0]] * 4, "a burst of four goes at once"
    assert max_in_any_window(granted) == 4
    assert granted[-1] - granted[0] >= 3.0, "thirteen requests need three full windows of waiting"
    assert all(0 < s <= 1.05 for s in clock.sleeps)


def test_daily_quota_raises_without_waiting() -> None:
    clock = FakeTime()
    limiter = limiter_on(clock, per_second=100, per_day=3)
    for _ in range(3):
        limiter.acquire()
    with pytest.raises(QuotaExceeded) as caught:
        limiter.acquire()
    assert caught.value.error_key == "quota_exceeded" and caught.value.response is None
    assert clock.sleeps == []
    clock.now += DAY  # the next UTC day starts a new count
    limiter.acquire()


def test_bounded_wait_raises_throttled() -> None:
    clock = FakeTime()
    limiter = limiter_on(clock, per_second=1, max_wait=0.5)
    limiter.acquire()
    with pytest.raises(Throttled) as caught:
        limiter.acquire()
    assert caught.value.error_key == "throttled"
    assert clock.sleeps == [], "it gives up rather than start a wait it cannot finish"


def test_limiter_waits_for_real_with_the_default_clock() -> None:
    limiter = RateLimiter(MemoryBackend(), "app", per_second=5, per_day=1000)
    started = time.monotonic()
    for _ in range(10):
        limiter.acquire()
    assert time.monotonic() - started >= 0.95


@pytest.fixture
def redis_key() -> Iterator[str]:
    """A key no other test or run uses; its Redis entries are removed afterwards."""
    key = f"test-{uuid.uuid4().hex}"
    yield key
    shared = redis.Redis.from_url(REDIS_URL)
    for stored in shared.scan_iter(f"*{key}*"):
        shared.delete(stored)


def test_redis_backend_counts_atomically_and_reports_the_wait(redis_key: str) -> None:
    backend = RedisBackend(REDIS_URL)
    slots = [backend.take(redis_key, 3, 1000) for _ in range(4)]
    assert [s.granted for s in slots] == [True, True, True, False]
    assert 0 < slots[-1].wait <= 1.0
    day_keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"ctct:rl:d:{redis_key}:*"))
    assert len(day_keys) == 1 and int(redis.Redis.from_url(REDIS_URL).get(day_keys[0]) or 0) == 3


def test_redis_backend_daily_quota(redis_key: str) -> None:
    limiter = RateLimiter(RedisBackend(REDIS_URL), redis_key, per_second=100, per_day=2)
    limiter.acquire()
    limiter.acquire()
    with pytest.raises(QuotaExceeded):
        limiter.acquire()


def test_file_backend_survives_a_damaged_file(tmp_path: Path) -> None:
    backend = FileBackend(tmp_path)
    backend.path_for("app").write_text("{not json")
    assert backend.take("app", 1, 10).granted
    assert not backend.take("app", 1, 10).granted


def _run_processes(backend: str, where: str, key: str, per_second: int, count: int, processes: int) -> list[float]:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes)
    results = context.Queue()
    children = [
        context.Process(target=workers.take_slots, args=(backend, where, key, per_second, count, start, results))
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    try:
        outcomes = [results.get(timeout=60) for _ in children]
    finally:
        for child in children:
            child.join(timeout=30)
    assert [status for status, _ in outcomes] == ["ok"] * processes, outcomes
    return [t for _, times in outcomes for t in times]


@pytest.mark.parametrize("backend", ["file", "redis"])
def test_processes_share_one_budget(backend: str, tmp_path: Path, redis_key: str) -> None:
    where = str(tmp_path) if backend == "file" else REDIS_URL
    granted = _run_processes(backend, where, redis_key, per_second=5, count=6, processes=2)
    assert len(granted) == 12
    # Two processes each free to send 5 a second would send 10; together they stay at 5. (The times
    # are taken just after each grant, a few ms late, hence the slightly narrower window.)
    assert max_in_any_window(granted, window=0.95) <= 5
    assert max(granted) - min(granted) >= 2.0 - 0.05  # twelve at five a second span two windows


def test_one_client_limits_its_requests(make_client: Any, issued_token: Any) -> None:
    client, wire = make_client(issued_token(), rate_limit_per_second=3)
    started = time.monotonic()
    for _ in range(7):
        client.account_services.get_user_privileges()
    # Three now, three a second later, the seventh a second after that.
    assert time.monotonic() - started >= 2.0 - 0.05
    assert wire.api == [200] * 7
