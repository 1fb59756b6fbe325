"""Fixtures the reporting tests share with the send engine's: the SMTP sink the copies go through."""

from tests.v3.campaigns.test_sending import smtp

__all__ = ["smtp"]
