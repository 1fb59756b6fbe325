"""The response validator accepts what the spec allows and refuses what it does not."""

from __future__ import annotations

import pytest

from apps.v3.contract import ContractViolation, match_operation, validate_response


def test_literal_segments_beat_placeholders() -> None:
    op = match_operation("GET", "/v3/contacts/counts")
    assert op is not None and op.operation_id == "countContact"
    op = match_operation("GET", "/v3/contacts/0b7a5e2c-0000-4000-8000-000000000000")
    assert op is not None and op.operation_id == "getContact"
    assert match_operation("PATCH", "/v3/contacts") is None


def test_valid_body_passes_and_wrong_type_fails() -> None:
    body = {"contacts": [{"contact_id": "0b7a5e2c-0000-4000-8000-000000000000", "email_address": {"address": "a@b.c"}}]}
    validate_response("GET", "/v3/contacts", 200, body)
    with pytest.raises(ContractViolation, match="contacts"):
        validate_response("GET", "/v3/contacts", 200, {"contacts": "nope"})


def test_undeclared_status_fails() -> None:
    with pytest.raises(ContractViolation, match="not declared"):
        validate_response("GET", "/v3/account/summary", 201, {})


def test_error_envelopes() -> None:
    validate_response("GET", "/v3/contacts", 400, [{"error_key": "x", "error_message": "y"}])
    validate_response("GET", "/v3/contacts", 401, {"error_key": "unauthorized", "error_message": "Unauthorized"})
    with pytest.raises(ContractViolation):
        validate_response("GET", "/v3/contacts", 400, {"error_key": "x", "error_message": "y"})
    with pytest.raises(ContractViolation):
        validate_response("GET", "/v3/contacts", 400, [])


def test_no_content_must_be_empty() -> None:
    validate_response("DELETE", "/v3/contacts/0b7a5e2c-0000-4000-8000-000000000000", 204, None)
    with pytest.raises(ContractViolation, match="declares no body"):
        validate_response("DELETE", "/v3/contacts/0b7a5e2c-0000-4000-8000-000000000000", 204, {"x": 1})


def test_documented_undeclared_status_is_accepted_with_the_envelope() -> None:
    validate_response("GET", "/v3/account/summary/physical_address", 404, [{"error_key": "a", "error_message": "b"}])
    with pytest.raises(ContractViolation):
        validate_response("GET", "/v3/account/summary/physical_address", 404, {"not": "an envelope"})
    with pytest.raises(ContractViolation, match="not declared"):
        validate_response("GET", "/v3/account/summary", 404, [{"error_key": "a", "error_message": "b"}])
