"""Code the multi-process tests run in spawned processes. It imports no Django: neither does the client.

Each function reports through a multiprocessing queue, so a failure in a child reaches the test.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from apps.ctct import Client, ClientConfig
from apps.ctct.ratelimit import FileBackend, RateLimiter, RedisBackend


def call_with_shared_token(config: dict[str, Any], store_path: str, start: Any, results: Any) -> None:
    """A client whose token lives in a JSON file shared with its siblings, refreshed under one lock."""
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # the live server is plain HTTP on loopback
    path = Path(store_path)

    def load() -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded

    def save(token: dict[str, Any]) -> None:
        path.write_text(json.dumps(token))

    client = Client(ClientConfig(**config, token=load(), token_loader=load, token_updater=save))
    start.wait(timeout=30)
    try:
        client.account_services.get_user_privileges()
        results.put(("ok", client.token["access_token"]))
    except Exception as exc:  # noqa: BLE001 - sent back to the test
        results.put(("error", repr(exc)))


def take_slots(backend: str, where: str, key: str, per_second: int, count: int, start: Any, results: Any) -> None:
    """Acquire ``count`` request slots from a shared limiter and report when each was granted."""
    chosen = FileBackend(where) if backend == "file" else RedisBackend(where)
    limiter = RateLimiter(chosen, key, per_second=per_second, per_day=1_000_000, max_wait=30)
    start.wait(timeout=30)
    granted = []
    try:
        for _ in range(count):
            limiter.acquire()
            granted.append(time.time())
        results.put(("ok", granted))
    except Exception as exc:  # noqa: BLE001 - sent back to the test
        results.put(("error", repr(exc)))
