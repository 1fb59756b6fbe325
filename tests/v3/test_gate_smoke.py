"""The gate answers a route-less V3 path in the envelope and refuses a missing token."""

from __future__ import annotations

from django.test import Client


def test_unknown_v3_path_is_a_json_404(client: Client) -> None:
    response = client.get("/v3/no/such/thing")
    assert response.status_code == 404
    assert response.json()[0]["error_key"] == "api.resource.not_found"
