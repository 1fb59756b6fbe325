"""Fixtures shared by every part of the suite."""

from __future__ import annotations

from typing import Any

import pytest

from apps.v3.contract import validate_django_response


@pytest.fixture
def v3_validate() -> Any:
    """The one helper every V3 test uses on every response it sees."""
    return validate_django_response
