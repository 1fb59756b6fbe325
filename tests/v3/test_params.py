"""Query parsing follows each operation's declaration in the spec."""

from __future__ import annotations

import uuid

import pytest
from django.http import QueryDict

from apps.v3.endpoints.params import parse_query
from apps.v3.gate.errors import V3Error


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
