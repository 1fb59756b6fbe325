"""The base of every reporting view: the reporting operations' errors are one ``StatsError`` object."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response

from apps.v3.gate.errors import exception_handler
from apps.v3.http.base import V3View


def stats_error_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The service's envelope, with the array's one entry as the object the reporting tags use
    (docs/decisions/gate-and-oauth.md#error-envelopes); 401 keeps its own object form already."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, list) and response.data:
        response.data = response.data[0]
    return response


class ReportingView(V3View):
    """A V3 view whose errors are ``StatsError`` objects."""

    def get_exception_handler(self) -> Any:
        return stats_error_handler
