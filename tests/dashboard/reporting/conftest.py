"""Fixtures of the reports pages' tests: the SMTP sink the campaign's copies go through."""

from tests.v3.campaigns.test_sending import smtp

__all__ = ["smtp"]
