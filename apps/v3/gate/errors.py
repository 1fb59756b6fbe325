"""Error responses in the spec's envelopes, and the DRF exception handler that produces them."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response


class V3Error(exceptions.APIException):
    """An error with the spec's ``error_key``; raised anywhere in an endpoint."""

    def __init__(self, status_code: int, error_key: str, error_message: str) -> None:
        super().__init__(error_message)
        self.status_code = status_code
        self.error_key = error_key
        self.error_message = error_message


def bad_request(message: str, key: str = "api.validation.error") -> V3Error:
    """400 naming what was wrong."""
    return V3Error(400, key, message)


def not_found(message: str = "The requested resource was not found.", key: str = "api.resource.not_found") -> V3Error:
    """404."""
    return V3Error(404, key, message)


def conflict(message: str, key: str = "api.conflict") -> V3Error:
    """409."""
    return V3Error(409, key, message)


class Unauthorized(exceptions.AuthenticationFailed):
    """401 with the spec's authorization error object."""

    def __init__(self, message: str = "Unauthorized") -> None:
        super().__init__(message)
        self.error_message = message


# DRF's own exceptions, mapped to stable keys.
_KEYS: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "api.malformed_json",
    exceptions.UnsupportedMediaType: "api.unsupported_media_type",
    exceptions.MethodNotAllowed: "api.method_not_allowed",
    exceptions.NotAcceptable: "api.not_acceptable",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "api.resource.not_found",
    exceptions.ValidationError: "api.validation.error",
}


def error_body(error_key: str, error_message: str) -> list[dict[str, str]]:
    """The array envelope used for every error but 401."""
    return [{"error_key": error_key, "error_message": error_message}]


def _message(detail: Any) -> str:
    if isinstance(detail, list):
        return "; ".join(_message(d) for d in detail)
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_message(v)}" for k, v in detail.items())
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: every failure in the spec's envelope, never a bare 500 for input."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        message = getattr(exc, "error_message", None) or _message(exc.detail)
        return Response(
            {"error_key": "unauthorized", "error_message": message},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": 'Bearer realm="v3"'},
        )
    if isinstance(exc, V3Error):
        return Response(error_body(exc.error_key, exc.error_message), status=exc.status_code)
    if isinstance(exc, exceptions.Throttled):
        key = getattr(exc, "error_key", "throttled")
        wait = getattr(exc, "wait", None)
        headers = {"Retry-After": str(int(wait))} if wait else {}
        return Response(error_body(key, _message(exc.detail)), status=429, headers=headers)
    if isinstance(exc, exceptions.APIException):
        key = next((k for cls, k in _KEYS.items() if isinstance(exc, cls)), "api.error")
        return Response(error_body(key, _message(exc.detail)), status=exc.status_code)
    return None


def json_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A V3 path that matches no route: the array envelope rather than an HTML page."""
    return JsonResponse(
        error_body("api.resource.not_found", f"No such resource: {request.path}"), status=404, safe=False
    )


def json_500(request: HttpRequest) -> JsonResponse:
    """Last resort for a V3 path; the failure is logged by Django."""
    body = error_body("api.internal_error", "There was a problem with our internal service.")
    return JsonResponse(body, status=500, safe=False)
