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
