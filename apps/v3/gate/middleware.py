"""Every ``/v3/`` error in the spec's envelope, including the ones Django answers before a view runs.

DRF's exception handler covers what a V3 view raises. What Django itself refuses — a body past
``DATA_UPLOAD_MAX_MEMORY_SIZE``, a path no route matches, a failure outside a view — it answers
with its own HTML page, and with ``DEBUG`` on with the debug page, neither of which a V3 client
can read. This middleware answers those in the envelope instead, whatever ``DEBUG`` says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from apps.v3.contract import match_operation
from apps.v3.gate.errors import error_body

logger = logging.getLogger("django.request")

V3_PREFIX = "/v3/"
# What a status means when Django, not a view, produced it.
_KEYS = {
    400: "api.validation.error",
    403: "forbidden",
    404: "api.resource.not_found",
    405: "api.method_not_allowed",
    413: "api.request_too_large",
}
INTERNAL = ("api.internal_error", "There was a problem with our internal service.")


def envelope(status: int, key: str, message: str) -> JsonResponse:
    """An error response in the array envelope."""
    return JsonResponse(error_body(key, message), status=status, safe=False)


def too_large(request: HttpRequest) -> JsonResponse:
    """A body past Django's in-memory limit: 413 where the operation declares it, else its 400."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    operation = match_operation(str(request.method), request.path)
    status = 413 if operation is not None and "413" in operation.responses else 400
    message = f"body: larger than {limit:,} bytes, the most this operation reads (DATA_UPLOAD_MAX_MEMORY_SIZE)"
    return envelope(status, _KEYS[413] if status == 413 else _KEYS[400], message)


class V3ErrorEnvelopeMiddleware:
    """Answers Django's own errors under ``/v3/`` in the envelope; other paths are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(V3_PREFIX) or response.status_code < 400:
            return response
        if "json" in response.get("Content-Type", ""):
            return response  # already the envelope (a view's, or handler404/handler500's)
        # Django's own page: a route-less path, a refusal of middleware, or a debug page.
        status = response.status_code
        if status >= 500:
            replaced = envelope(status, *INTERNAL)
        elif status == 404:
            replaced = envelope(404, _KEYS[404], f"No such resource: {request.path}")
        else:
            replaced = envelope(status, _KEYS.get(status, "api.error"), response.reason_phrase)
        for header in ("Allow", "Retry-After"):
            if header in response:
                replaced[header] = response[header]
        return replaced

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """The envelope for what Django would turn into its own 400/403/404 pages; None lets a 500 be logged."""
        if not request.path.startswith(V3_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return too_large(request)
        if isinstance(exception, SuspiciousOperation):
            logger.warning("V3 request refused: %s", exception)
            return envelope(400, _KEYS[400], f"The request was refused: {exception}")
        if isinstance(exception, PermissionDenied):
            return envelope(403, _KEYS[403], "Forbidden.")
        if isinstance(exception, Http404):
            return envelope(404, _KEYS[404], f"No such resource: {request.path}")
        return None
