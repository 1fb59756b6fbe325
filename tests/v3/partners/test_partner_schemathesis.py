"""A bounded property-based run over the partner operations, called as a partner (token and ``x-api-key``).

The service-wide run (tests/v3/test_schemathesis.py) calls them with an account token, which the gate
refuses; here generated requests reach the handlers: no 5xx, and only responses the spec allows.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis import DataGenerationMethod

from apps.v3.contract import load_spec, validate_response
from apps.v3.contract.coverage import implemented
from apps.v3.partners.services.provisioning import provision
from tests.v3.partners.support import PartnerApi, make_partner, provision_body
from tests.v3.test_schemathesis import wsgi_keeps_the_test_connection  # noqa: F401 - a fixture, and Hypothesis' patch

PARTNER_OPERATIONS = [op.operation_id for op in implemented() if op.is_partner]
schema = schemathesis.from_dict(load_spec(), app=get_wsgi_application(), base_url="/v3").include(
    operation_id=PARTNER_OPERATIONS
)
KNOWN: dict[str, str] = {}
# Nothing listens here: a steered hook is refused at once, and no generated URI reaches the network.
CLOSED_HOOK = "http://127.0.0.1:9/hook"


@schema.hook("map_case")
def steer_half_onto_real_rows(context: Any, case: Any) -> Any:
    """Half the cases name the seeded client account and a subscribed topic; every hook URI is a closed local port."""
    body = case.body
    if isinstance(body, dict) and "hook_uri" in body:
        body["hook_uri"] = CLOSED_HOOK
    if not KNOWN or zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 2:
        return case
    for name in ("encoded_account_id", "topic_id"):
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = KNOWN[name]
    if isinstance(body, dict) and "login_name" in body:
        body["login_name"] = f"fuzz{zlib.crc32(repr(body).encode())}"
    return case


@pytest.fixture
def partner(wsgi_keeps_the_test_connection: None) -> PartnerApi:  # noqa: F811
    """A partner with one client account and a subscription to topic 1 (made without a request)."""
    partner = make_partner()
    client = provision(partner.partner, provision_body())
    partner.partner.webhook_subscriptions.create(topic_id=1, hook_uri=CLOSED_HOOK)
    KNOWN.update(encoded_account_id=client.account.encoded_account_id, topic_id="1")
    return partner


@pytest.mark.django_db
@schema.parametrize(data_generation_methods=[DataGenerationMethod.positive, DataGenerationMethod.negative])
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_partner_operations_answer_without_server_errors(case: Any, partner: PartnerApi) -> None:
    response = case.call(headers={"Authorization": f"Bearer {partner.token}", "x-api-key": partner.api_key})
    raw = response.get_data()
    content_type = response.headers.get("Content-Type")
    body = json.loads(raw) if raw and content_type and "json" in content_type else (raw.decode() or None)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {raw[:500]!r}"
    validate_response(case.method, "/v3" + case.formatted_path, response.status_code, body, content_type)
