"""The contract endpoints of the service and the route inventory."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from apps.v3.contract import operations
from apps.v3.contract.coverage import implemented, missing


def test_swagger_json_serves_the_facts_only_copy(client: Client) -> None:
    response = client.get("/v3/swagger.json")
    assert response.status_code == 200
    body = response.json()
    assert body["swagger"] == "2.0"
    assert body["basePath"] == "/v3"
    assert (
        len([1 for item in body["paths"].values() for m in item if m in {"get", "post", "put", "delete", "patch"}])
        == 120
    )


def test_inventory_partitions_the_spec() -> None:
    done = {op.operation_id for op in implemented()}
    absent = {op.operation_id for op in missing()}
    assert done.isdisjoint(absent)
    assert done | absent == {op.operation_id for op in operations()}


def test_ops_command_prints_the_count(capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("v3_ops")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"implemented {len(implemented())}/120"
