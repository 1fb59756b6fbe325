"""Service meta endpoints: the contract itself."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from apps.v3.contract import load_spec


def swagger_json(request: HttpRequest) -> JsonResponse:
    """``GET /v3/swagger.json``: the facts-only spec this service implements."""
    return JsonResponse(load_spec())
