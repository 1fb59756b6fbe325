"""Building configured V3 clients (``apps.ctct``) from the dashboard's settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from apps.ctct import Client, ClientConfig

from .providers.constantcontact import conf

TokenDict = dict[str, Any]


def make_client(
    *,
    base_url: str,
    token_url: str,
    token: TokenDict,
    token_updater: Callable[[TokenDict], None] | None = None,
    token_loader: Callable[[], TokenDict | None] | None = None,
    connection_key: str | None = None,
) -> Client:
    """A client for ``base_url`` with the dashboard's application credentials and shared limits.

    The application's id and secret are read now (from settings, or the local demo fallback);
    the rate limit and refresh lock are shared through Redis when ``REDIS_URL`` is set, otherwise
    through files under ``VAR_DIR`` that every local process sees.
    """
    endpoints = conf.current()
    return Client(
        ClientConfig(
            base_url=base_url,
            token_url=token_url,
            client_id=endpoints.client_id,
            client_secret=endpoints.client_secret or None,
            token=token,
            token_updater=token_updater,
            token_loader=token_loader,
            connection_key=connection_key,
            redis_url=settings.REDIS_URL or None,
            rate_limit_per_second=settings.CTCT_RATE_LIMIT_PER_SECOND,
            rate_limit_per_day=settings.CTCT_RATE_LIMIT_PER_DAY,
            rate_limit_dir=str(settings.VAR_DIR / "ctct-rate-limits"),
        )
    )
