"""Fixtures of the reports pages' tests: the SMTP sink the campaign's copies go through."""

import pytest

from tests.v3.campaigns.test_sending import smtp

__all__ = ["smtp"]


@pytest.fixture(autouse=True)
def _sends_here(sends_here: None) -> None:
    """Every test here mails its runs in this process (tests/dashboard/conftest.py, ``sends_here``)."""
