"""The operation gate: the spec's ``security`` and ``x-authorization-privileges`` decide."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apps.v3.contract import Operation, load_spec, operation_by_id
from apps.v3.gate.authentication import TokenContext
from apps.v3.gate.errors import Unauthorized, V3Error


def operation_method(method: str) -> str:
    """The method whose operation answers ``method``: HEAD is GET without the body."""
    method = method.lower()
    return "get" if method == "head" else method


def operation_of(view: Any, request: Request) -> Operation:
    """The spec operation a view answers for the request's method (the view refuses others first)."""
    return operation_by_id(view.operation_ids[operation_method(str(request.method))])


def scopes_satisfied(operation: Operation, granted: frozenset[str]) -> bool:
    """True when the token's scopes meet any one of the operation's security requirements.

    The spec lists each OAuth flow as an alternative and asks the same scopes of each; where
    it puts both flows into one requirement (SPEC-NOTES), one bearer token still suffices, so
    the scopes are taken per requirement without asking for two tokens.
    """
    requirements = [
        frozenset(scope for scheme, scopes in req.items() if scheme.startswith("oauth2") for scope in scopes)
        for req in _raw_security(operation)
    ]
    requirements = [r for r in requirements if r] or [frozenset()]
    return any(r <= granted for r in requirements)


def _raw_security(operation: Operation) -> list[dict[str, list[str]]]:
    raw: list[dict[str, list[str]]] = load_spec()["paths"][operation.path][operation.method.lower()].get("security", [])
    return raw


class OperationGate(BasePermission):
    """Checks the token against the operation: account or partner, scopes, then privileges."""

    def has_permission(self, request: Request, view: Any) -> bool:
        context = request.auth
        if not isinstance(context, TokenContext):
            raise Unauthorized()
        operation = operation_of(view, request)
        if operation.is_partner:
            self._check_partner(request, context)
            return True
        if context.account is None:
            raise V3Error(403, "forbidden", "This operation needs an account access token, not a partner token.")
        if not scopes_satisfied(operation, context.scopes):
            needed = " ".join(sorted(operation.scopes))
            raise V3Error(403, "forbidden", f"The access token lacks a required scope: {needed}.")
        missing = [p for p in operation.privileges if p not in context.privileges]
        if missing:
            raise V3Error(403, "forbidden", f"The user lacks the privilege: {', '.join(missing)}.")
        return True

    @staticmethod
    def _check_partner(request: Request, context: TokenContext) -> None:
        if context.partner is None:
            raise V3Error(403, "forbidden", "This operation needs a partner access token.")
        api_key = request.META.get("HTTP_X_API_KEY", "")
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        if not api_key or not hmac.compare_digest(digest, context.partner.api_key_digest):
            raise V3Error(403, "forbidden", "The x-api-key header is missing or does not match the partner.")
