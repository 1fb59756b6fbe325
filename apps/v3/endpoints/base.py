"""The base every V3 endpoint view derives from."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from apps.v3.gate.authentication import BearerJWTAuthentication, TokenContext
from apps.v3.gate.errors import exception_handler
from apps.v3.gate.permissions import OperationGate
from apps.v3.gate.throttling import ApplicationRateLimit
from apps.v3.models import Account


class V3View(APIView):
    """A view answering one or more spec operations, behind the gate.

    ``operation_ids`` maps each HTTP method the view answers to the spec's ``operationId``; the
    gate reads it to find the operation's scopes and privileges, and ``make ops`` to count it.
    Every query in a subclass goes through ``self.account`` so it stays in the token's account.
    """

    operation_ids: ClassVar[dict[str, str]] = {}
    authentication_classes = [BearerJWTAuthentication]
    permission_classes = [OperationGate]
    throttle_classes = [ApplicationRateLimit]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self) -> Any:
        return exception_handler

    @property
    def token(self) -> TokenContext:
        """The verified token of this request."""
        context = self.request.auth
        assert isinstance(context, TokenContext)
        return context

    @property
    def account(self) -> Account:
        """The token's account; the gate has already refused tokens without one."""
        account = self.token.account
        assert account is not None
        return account
