"""Query parsing, path ids and body content types follow each operation's declaration in the spec."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.http import QueryDict

from apps.v3.contract import Operation
from apps.v3.contract.coverage import implemented
from apps.v3.gate.errors import V3Error
from apps.v3.http.params import parse_query
from tests.v3.conftest import V3Api


def q(s: str) -> QueryDict:
    return QueryDict(s)


def test_defaults_types_and_lists() -> None:
    parsed = parse_query("getContacts", q("status=active,unsubscribed&include_count=true&updated_after=2024-01-02"))
    assert parsed["limit"] == 50
    assert parsed["status"] == ["active", "unsubscribed"]
    assert parsed["include_count"] is True
    assert parsed["updated_after"].year == 2024 and parsed["updated_after"].tzinfo is not None
    tags = ",".join(str(uuid.uuid4()) for _ in range(3))
    assert len(parse_query("getContacts", q(f"tags={tags}"))["tags"]) == 3


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=abc", "limit"),
        ("status=bogus", "status"),
        ("include_count=maybe", "include_count"),
        ("updated_after=yesterday", "updated_after"),
        ("tags=not-a-uuid", "tags"),
        ("lists=" + ",".join(["x"] * 26), "lists"),
    ],
)
def test_bad_values_are_400_naming_the_parameter(query: str, named: str) -> None:
    with pytest.raises(V3Error) as info:
        parse_query("getContacts", q(query))
    assert info.value.status_code == 400
    assert info.value.error_message.startswith(named)


# --- ids in the path and bodies that are not JSON, over every implemented operation ------------


def _path_id_operations() -> list[Operation]:
    return [op for op in implemented() if any(p.get("in") == "path" for p in op.parameters)]


def _json_body_operations() -> list[Operation]:
    return [
        op
        for op in implemented()
        if any(p.get("in") == "body" for p in op.parameters)
        and not any(p.get("in") == "path" for p in op.parameters)
        and not op.is_partner
    ]


@pytest.mark.parametrize("operation", _json_body_operations(), ids=lambda op: op.operation_id)
def test_a_body_that_is_not_json_is_the_declared_415_or_else_400(api: V3Api, operation: Operation) -> None:
    response = api.request(operation.method, operation.path, raw=b"name=x", content_type="text/plain")
    assert response.status_code == (415 if "415" in operation.responses else 400), response.content
    assert response.json()[0]["error_key"] == "api.unsupported_media_type"


def _nul_query_cases() -> list[Any]:
    """Each implemented GET without a path id that declares 400, with a query parameter to carry a NUL."""
    cases = []
    for op in implemented():
        if op.method != "GET" or op.is_partner or "400" not in op.responses:
            continue
        if any(p.get("in") == "path" for p in op.parameters):
            continue
        names = [p["name"] for p in op.parameters if p.get("in") == "query"]
        if names:
            cases.append(pytest.param(op, names[0], id=f"{op.operation_id}-{names[0]}"))
    return cases


@pytest.mark.parametrize(("operation", "name"), _nul_query_cases())
def test_a_nul_character_in_any_query_parameter_is_a_400_naming_it(api: V3Api, operation: Operation, name: str) -> None:
    # PostgreSQL refuses NUL in text: without the check a filter on it would be a 500.
    response = api.request("GET", operation.path, params={name: "a\x00b"})
    assert response.status_code == 400, response.content
    body = response.json()  # the reporting operations answer errors in the object form, the others in the array
    assert (body[0] if isinstance(body, list) else body)["error_message"] == f"{name}: contains a NUL character"
