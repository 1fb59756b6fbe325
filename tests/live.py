"""Constants of tests that act as an OAuth client of the live built-in service.

Shared by the authorization-server tests (tests/v3/test_oauth.py) and the client's (tests/ctct/);
the values match tests/v3/factories.py. The fixtures (``plain_http``, ``server``, ``owner``) live
in tests/conftest.py.
"""

from __future__ import annotations

REDIRECT = "http://127.0.0.1:9999/callback"
PASSWORD = "correct horse battery"
SECRET = "s3cret-for-tests"
