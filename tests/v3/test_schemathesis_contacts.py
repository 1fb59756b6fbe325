"""A bounded property-based run over the Contacts and Contacts Custom Fields operations.

schemathesis generates requests from the spec itself (query parameters, path ids, bodies) and
sends them in-process to the WSGI application with a valid bearer token. Whatever it sends,
the service must answer without a 5xx and with a response the spec allows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis.internal.conjecture.utils as cu
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from apps.v3.contract import load_spec, validate_response
from apps.v3.models import Contact, ContactList, CustomField, Tag

from .conftest import V3Api


class _ManyWithMore(cu.many):
    """``many`` as hypothesis-jsonschema 0.23 drives it (``while elements.more()``).

    Newer Hypothesis releases dropped ``more()`` for ``with many(...) as e: for _ in e:``, and
    hypothesis-jsonschema, which schemathesis draws every object schema with, still calls it.
    Iterating the new protocol one step per call behaves the same; every other use is untouched.
    """

    _steps: Any = None

    def more(self) -> bool:
        if self._steps is None:
            self.__enter__()
            self._steps = iter(self)
        return next(self._steps, _DONE) is not _DONE


_DONE = object()
if not hasattr(cu.many, "more"):
    cu.many = _ManyWithMore  # type: ignore[misc]

schema = schemathesis.from_dict(load_spec(), app=get_wsgi_application(), base_url="/v3").include(
    tag_regex="^(Contacts|Contacts Custom Fields)$"
)


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Iterator[None]:
    """Keep the test's database connection (and its transaction) open across WSGI requests.

    A WSGI request ends by closing old connections, which would drop the test transaction;
    Django's own test client disconnects the same handler for the same reason.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(make_api: Callable[..., V3Api], wsgi_keeps_the_test_connection: None) -> str:
    """A token for an account that already holds a few contacts, lists, tags and fields."""
    api = make_api()
    contact_list = ContactList.objects.create(account=api.account, name="Fuzzed")
    Tag.objects.create(account=api.account, name="Fuzzed")
    CustomField.objects.create(account=api.account, label="Fuzzed", name="Fuzzed", type="string")
    for n in range(3):
        contact = Contact.objects.create(account=api.account, email_address=f"fuzz{n}@example.com", first_name="F")
        contact.memberships.create(contact_list=contact_list)
    return api.token


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    database=None,  # nothing written to .hypothesis/ in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors_and_only_spec_responses(case: Any, token: str) -> None:
    response = case.call_wsgi(headers={"Authorization": f"Bearer {token}"})
    raw = response.get_data()
    content_type = response.headers.get("Content-Type")
    body = json.loads(raw) if raw and content_type and "json" in content_type else (raw.decode() or None)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {raw[:500]!r}"
    validate_response(case.method, "/v3" + case.formatted_path, response.status_code, body, content_type)
