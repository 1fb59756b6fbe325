"""A real Celery worker process for tests (and the bulk benchmark), on Redis, against the test database.

tests/conftest.py registers the fixtures for the whole suite; test modules import only helpers.
The worker runs ``celery -A ctctdash worker --pool=solo`` with the test settings, the test
database's URL and a Redis broker; the test process sends to the same broker. Without
``CELERY_BROKER_URL`` in the environment the broker is a Redis database on 127.0.0.1:6379 that
this process claims (so concurrent test runs on one machine never share a queue); Redis not
answering is a test failure that says so, never a skip.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Redis databases test runs may claim as their broker, from the top down (0 stays for people).
CLAIMABLE_DBS = range(15, 7, -1)
CLAIM_KEY = "ctctdash:test-broker-db:{}"
CLAIM_SECONDS = 6 * 60 * 60
# Kombu's keys for the default queue and for messages delivered but not acknowledged.
STALE_KEYS = ("celery", "unacked", "unacked_index", "unacked_mutex")
START_TIMEOUT = 60.0


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something truthy, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)  # the polling interval, not a synchronisation


class BrokerClaim:
    """A Redis database claimed as this process's broker until :meth:`release`."""

    def __init__(self) -> None:
        self.url = os.environ.get("CELERY_BROKER_URL", "")
        self.key = ""
        if self.url.startswith(("redis://", "rediss://")):
            return
        control = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0, socket_connect_timeout=3)
        try:
            control.ping()
        except redis.RedisError as exc:
            raise RuntimeError(
                f"The worker tests need Redis on {REDIS_HOST}:{REDIS_PORT} (or CELERY_BROKER_URL=redis://...): {exc}"
            ) from exc
        for db in CLAIMABLE_DBS:
            key = CLAIM_KEY.format(db)
            if control.set(key, f"{socket.gethostname()}:{os.getpid()}", nx=True, ex=CLAIM_SECONDS):
                self.key, self.url = key, f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"
                # A run that died may have left messages for activities of its own (gone) database.
                redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).delete(*STALE_KEYS)
                return
        raise RuntimeError(f"Every Redis database {list(CLAIMABLE_DBS)} is claimed by another test run")

    def release(self) -> None:
        """Give the database back."""
        if self.key:
            redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0).delete(self.key)


def database_url(settings_dict: dict[str, Any]) -> str:
    """A ``DATABASE_URL`` for the database Django is connected to (the test database in tests)."""
    engine, name = settings_dict["ENGINE"], str(settings_dict["NAME"])
    if engine.endswith("sqlite3"):
        return "sqlite:///" + str(Path(name).resolve())
    if engine.endswith("postgresql"):
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"
    raise RuntimeError(f"no DATABASE_URL form for {engine}")


def use_broker(url: str) -> None:
    """Point this process's Celery app (and Django's setting) at ``url``."""
    from django.conf import settings

    from ctctdash.celery import app

    settings.CELERY_BROKER_URL = url
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    # Connection pools made for an earlier broker would keep sending there.
    app._pool = None
    app.amqp._producer_pool = None


class CeleryWorker:
    """One ``celery worker`` subprocess: start, wait until it answers a ping, kill or stop it."""

    def __init__(self, broker_url: str, db_url: str, log_dir: Path, settings_module: str) -> None:
        self.broker_url = broker_url
        self.db_url = db_url
        self.log_dir = log_dir
        self.settings_module = settings_module
        self.process: subprocess.Popen[bytes] | None = None
        self.nodename = ""
        self.log_path = log_dir / "worker.log"

    def start(self) -> None:
        """Start a worker and return once it answers a ping."""
        from ctctdash.celery import app

        self.nodename = f"bulk-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
        self.log_path = self.log_dir / f"worker-{self.nodename.split('@')[0]}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "DATABASE_URL": self.db_url,
            "CELERY_BROKER_URL": self.broker_url,
            "PYTHONUNBUFFERED": "1",
        }
        celery = Path(sys.executable).with_name("celery")
        command = [str(celery), "-A", "ctctdash", "worker", "--pool=solo", "--concurrency=1"]
        command += ["-n", self.nodename, "--without-gossip", "--without-mingle", "--loglevel=INFO"]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def answers() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the worker exited with {self.process.returncode}:\n{self.log_tail()}")
            return bool(app.control.ping(destination=[self.nodename], timeout=0.5))

        wait_for(answers, START_TIMEOUT, f"worker {self.nodename} to answer a ping")

    @property
    def pid(self) -> int:
        """The worker's process id."""
        assert self.process is not None
        return self.process.pid

    def running(self) -> bool:
        """Whether the worker process is alive."""
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker (no cleanup at all) and reap it, so its pid is really gone."""
        if self.running():
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 20.0) -> None:
        """Warm shutdown, then SIGKILL if it takes too long."""
        if not self.running():
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the worker's log, for failure messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryWorker]:
    """A worker process on the test database for the whole session (tests may kill and restart it)."""
    from django.conf import settings
    from django.db import connection

    claim = BrokerClaim()
    previous = settings.CELERY_BROKER_URL
    use_broker(claim.url)
    worker = CeleryWorker(
        claim.url, database_url(connection.settings_dict), tmp_path_factory.mktemp("celery"), "ctctdash.settings.test"
    )
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        use_broker(previous)
        claim.release()


@pytest.fixture
def worker(celery_worker: CeleryWorker, transactional_db: Any) -> CeleryWorker:
    """The session's worker, running (restarted if a test killed it), for a test on committed data."""
    if not celery_worker.running():
        celery_worker.start()
    return celery_worker
