"""Per-application rate limits, counted in the shared cache so every process sees one count."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.v3.gate.authentication import TokenContext


class RateLimitExceeded(Throttled):
    """429 with the spec's ``throttled`` or ``quota_exceeded`` key."""

    def __init__(self, error_key: str, message: str, wait: float | None) -> None:
        super().__init__(wait=wait, detail=message)
        self.error_key = error_key


def _hit(key: str, ttl: int) -> int:
    """Count one request in a fixed window; ``add`` then ``incr`` is atomic on Redis."""
    if cache.add(key, 1, ttl):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # the window expired between add and incr
        cache.add(key, 1, ttl)
        return 1


class ApplicationRateLimit(BaseThrottle):
    """4 requests a second and 10,000 a day per application by default (settings ``V3_RATE_LIMIT_*``)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        context = request.auth
        if not isinstance(context, TokenContext):
            return True
        now = time.time()
        second, day = int(now), int(now // 86400)
        app = context.client_id
        per_day = _hit(f"v3rl:d:{app}:{day}", 86400 + 60)
        if per_day > settings.V3_RATE_LIMIT_PER_DAY:
            wait = 86400 - (now % 86400)
            raise RateLimitExceeded("quota_exceeded", "The application's daily request quota is used up.", wait)
        per_second = _hit(f"v3rl:s:{app}:{second}", 2)
        if per_second > settings.V3_RATE_LIMIT_PER_SECOND:
            raise RateLimitExceeded("throttled", "Too many requests per second; slow down and retry.", 1)
        return True
