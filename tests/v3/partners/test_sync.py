"""The sync proxy: a V3 call made as the client account, inside the service."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apps.v3.contacts.models import Contact
from apps.v3.contract import validate_response
from tests.v3.partners.support import make_partner, provisioned
from tests.v3.support import error

pytestmark = pytest.mark.django_db


def _sync(partner: Any, account_id: str, body: dict[str, Any]) -> Any:
    return partner.post(f"/partner/accounts/{account_id}/account_operations/sync", body)


def test_the_proxy_creates_a_contact_in_the_client_account_and_reads_it_back() -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    payload = {"email_address": {"address": "new@example.com"}, "first_name": "New", "create_source": "Account"}
    created = _sync(
        partner,
        account_id,
        {
            "account_operation_url": "/contacts",
            "account_operation_method": "POST",
            "account_operation_payload": json.dumps(payload),
        },
    )
    assert created.status_code == 200 and created["x-account-operation-status"] == "201"
    validate_response("POST", "/v3/contacts", 201, created.json())
    contact = Contact.objects.get(contact_id=created.json()["contact_id"])
    assert contact.account.encoded_account_id == account_id and contact.first_name == "New"
    read = _sync(
        partner,
        account_id,
        {
            "account_operation_url": "/contacts/{contact_id}",
            "account_operation_method": "GET",
            "account_operation_path_parameters": [
                {"path_param_key": "contact_id", "path_param_value": str(contact.contact_id)}
            ],
            "account_operation_query_parameters": [
                {"query_param_key": "include", "query_param_value": "list_memberships"}
            ],
            "account_operation_headers": [{"header_key": "Accept", "header_value": "application/json"}],
        },
    )
    assert read.status_code == 200
    validate_response("GET", f"/v3/contacts/{contact.contact_id}", 200, read.json())
    assert read.json()["email_address"]["address"] == "new@example.com"


def test_the_inner_calls_errors_come_back_and_another_accounts_rows_stay_out_of_reach() -> None:
    partner = make_partner()
    mine, other = provisioned(partner), provisioned(partner)
    theirs = Contact.objects.get(account__encoded_account_id=other)
    read = _sync(
        partner,
        mine,
        {
            "account_operation_url": "/contacts/{contact_id}",
            "account_operation_method": "GET",
            "account_operation_path_parameters": [
                {"path_param_key": "contact_id", "path_param_value": str(theirs.contact_id)}
            ],
        },
    )
    assert read.status_code == 404
    bad = _sync(
        partner,
        mine,
        {
            "account_operation_url": "/contacts",
            "account_operation_method": "POST",
            "account_operation_payload": "{not json",
        },
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("body", "status", "word"),
    [
        ({"account_operation_url": "https://evil.example.com/v3/contacts"}, 400, "account_operation_url"),
        ({"account_operation_url": "/v3/contacts"}, 400, "account_operation_url"),
        ({"account_operation_url": "/contacts/../partner/accounts"}, 400, "account_operation_url"),
        ({"account_operation_url": "/partner/accounts"}, 400, "account_operation_url"),
        ({"account_operation_url": "/swagger.json"}, 400, "account_operation_url"),
        ({"account_operation_url": "/no_such_thing"}, 404, "account_operation_url"),
        ({"account_operation_url": "/contacts/{contact_id}"}, 400, "contact_id"),
        ({"account_operation_method": "PATCH"}, 400, "account_operation_method"),
        ({"account_operation_method": "TRACE"}, 400, "account_operation_method"),
        ({"account_operation_query_parameters": [{"query_param_value": "x"}]}, 400, "query_param_key"),
    ],
)
def test_calls_outside_v3_or_a_method_the_route_lacks_are_refused(body: dict[str, Any], status: int, word: str) -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    full = {"account_operation_url": "/contacts", "account_operation_method": "GET", **body}
    error(_sync(partner, account_id, full), status, word)


def test_another_partners_account_cannot_be_proxied() -> None:
    mine, theirs = make_partner(), make_partner()
    account_id = provisioned(theirs)
    body = {
        "account_operation_url": "/contacts",
        "account_operation_method": "POST",
        "account_operation_payload": json.dumps(
            {"email_address": {"address": "x@example.com"}, "create_source": "Account"}
        ),
    }
    error(_sync(mine, account_id, body), 404)
    assert not Contact.objects.filter(email_address="x@example.com").exists()
