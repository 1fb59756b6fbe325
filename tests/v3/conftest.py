"""Fixtures for V3 service tests: accounts, tokens, and a client that checks every response.

``api`` is how V3 tests call the service: every response it returns has already been
validated against the spec (status code and body), so a test cannot see a non-conforming one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from apps.v3.account.models import Account, AccountMembership, Role
from apps.v3.contacts.models import ContactList
from apps.v3.contract import validate_django_response
from apps.v3.oauth.tokens import issue_token
from tests.v3.factories import ApplicationFactory, MembershipFactory

ALL_SCOPES = ["account_read", "account_update", "contact_data", "campaign_data"]


class V3Api:
    """A Django test client speaking to ``/v3`` with a bearer token, validating every response."""

    def __init__(self, token: str, account: Account, membership: AccountMembership) -> None:
        self.token = token
        self.account = account
        self.membership = membership
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def request(
        self,
        method: str,
        path: str,
        data: Any = None,
        params: dict[str, Any] | None = None,
        content_type: str = "application/json",
        raw: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        validate: bool = True,
    ) -> Any:
        """Call ``/v3{path}``; ``data`` is sent as JSON, ``raw`` as-is with ``content_type``."""
        url = "/v3" + path
        if params:
            url += "?" + urlencode(params, doseq=True)
        body: Any = raw if raw is not None else (json.dumps(data) if data is not None else "")
        call = getattr(self.client, method.lower())
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
        if method.upper() in {"GET", "DELETE"} and raw is None and data is None:
            response = call(url, **extra)
        else:
            response = call(url, data=body, content_type=content_type, **extra)
        if validate:
            validate_django_response(response, method=method.upper(), path=url.split("?")[0])
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, data, **kw)

    def put(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, data, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def make_api(db: Any) -> Callable[..., V3Api]:
    """Factory: ``make_api(account=None, scopes=ALL_SCOPES, role=Role.ACCOUNT_OWNER)`` -> V3Api."""
    application = ApplicationFactory()

    def make(account: Account | None = None, scopes: list[str] | None = None, role: str = Role.ACCOUNT_OWNER) -> V3Api:
        membership = MembershipFactory(role=role, **({"account": account} if account else {}))
        token = issue_token(membership.account, membership.user, scopes or ALL_SCOPES, application)
        return V3Api(token, membership.account, membership)

    return make


@pytest.fixture
def api(make_api: Callable[..., V3Api]) -> V3Api:
    """An account owner's client with every account scope."""
    return make_api()


@pytest.fixture
def other_api(make_api: Callable[..., V3Api]) -> V3Api:
    """A second, unrelated account's client: for isolation tests."""
    return make_api()


@pytest.fixture
def lists(api: V3Api) -> list[ContactList]:
    """Three lists of the ``api`` account: List 0, List 1, List 2."""
    return [ContactList.objects.create(account=api.account, name=f"List {n}") for n in range(3)]
