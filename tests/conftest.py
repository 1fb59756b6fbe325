"""Fixtures shared by every part of the suite."""

from __future__ import annotations

from typing import Any

import pytest

from apps.v3.contract import validate_django_response

# The real Celery worker fixtures, registered once for the whole suite: a module importing them
# itself would get a session worker of its own that shares the first one's queue.
from tests.worker import celery_worker, worker  # noqa: F401


@pytest.fixture
def v3_validate() -> Any:
    """The one helper every V3 test uses on every response it sees."""
    return validate_django_response


# --- the live built-in service, for tests that act as its OAuth client -----------------------


@pytest.fixture
def plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server speaks plain HTTP on loopback; oauthlib refuses that unless told."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def server(live_server: Any, plain_http: None) -> str:
    """The live built-in service's origin, e.g. ``http://localhost:41234``."""
    return str(live_server.url)


@pytest.fixture
def owner(transactional_db: Any) -> Any:
    """An account owner (membership) on a fresh account."""
    # Imported here: factories load models, and this conftest is imported before Django is set up.
    from tests.v3.factories import MembershipFactory

    return MembershipFactory()
