"""The operation table and resource groups are derived from the spec; they must not drift from it.

On failure run ``make spec`` (or ``python scripts/derive_client_ops.py``) and commit the result.
"""

from __future__ import annotations

import inspect
import json

import pytest

from apps.ctct import Client, ClientConfig
from apps.ctct.operations import OPERATIONS
from apps.ctct.resources import ResourceGroups
from scripts import derive_client_ops


@pytest.mark.parametrize("dest", [derive_client_ops.OPERATIONS, derive_client_ops.RESOURCES], ids=lambda p: p.name)
def test_generated_files_match_the_spec(dest: object) -> None:
    rendered = derive_client_ops.render_all()
    assert dest in rendered
    assert rendered[dest] == dest.read_text(), f"{dest} is stale: run `make spec` and commit it"  # type: ignore[attr-defined]


def test_every_spec_operation_is_in_the_table() -> None:
    spec = json.loads(derive_client_ops.SPEC.read_text())
    ids = {op["operationId"] for item in spec["paths"].values() for op in item.values()}
    assert len(OPERATIONS) == len(ids) == 120
    assert set(OPERATIONS) == ids


def test_table_facts() -> None:
    contacts = OPERATIONS["getContacts"]
    assert (contacts.method, contacts.path, contacts.tag, contacts.success) == (
        "GET",
        "/contacts",
        "Contacts",
        (200, 202),
    )
    assert contacts.items_key == "contacts"
    params = {p.name: p for p in contacts.params}
    assert params["include"].many and not params["include"].explode
    assert params["limit"].kind == "integer" and params["updated_after"].format == "date-time"
    bounces = {p.name: p for p in OPERATIONS["getBounces"].params}
    assert bounces["bounce_code"].explode, "an array declared collectionFormat multi"
    assert bounces["limit"].kind == "integer" and not bounces["limit"].many, 'a string limit, default "500"'
    assert OPERATIONS["getAccountSegments"].params[0].kind == "integer"
    csv_import = OPERATIONS["contactsCSVImport"]
    assert csv_import.body == "multipart" and [p.kind for p in csv_import.params_in("form")][0] == "file"
    assert OPERATIONS["deleteContact"].result == "none" and OPERATIONS["getContactsExport"].result == "text"
    assert OPERATIONS["getSegmentDetail"].params_in("path")[0].kind == "integer"
    assert OPERATIONS["provision"].api_key and not contacts.api_key


def test_every_operation_has_a_method_on_its_group() -> None:
    client = Client(ClientConfig(rate_limit_backend="off"))
    groups = {name for name in ResourceGroups.__annotations__}
    assert {"contacts", "contact_lists", "contact_tags", "contacts_custom_fields", "segments"} <= groups
    assert {"bulk_activities", "account_services"} <= groups
    for op in OPERATIONS.values():
        group = getattr(client, derive_client_ops.snake(op.tag))
        method = getattr(group, derive_client_ops.snake(op.id))
        path_params = [p.name for p in op.params_in("path")]
        positional = [
            name for name, p in inspect.signature(method).parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD
        ]
        assert sorted(positional) == sorted(path_params), op.id
        if op.items_key:
            assert callable(getattr(group, derive_client_ops.iterator_name(op.id)))
    assert callable(client.contacts.iter_contacts)
    assert derive_client_ops.snake("getUniqueContactSMSOptIns") == "get_unique_contact_sms_opt_ins"
