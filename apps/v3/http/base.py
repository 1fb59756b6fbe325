"""The base every V3 endpoint view derives from."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import QueryDict
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.v3.account.models import Account
from apps.v3.contract import operation_by_id
from apps.v3.gate.authentication import BearerJWTAuthentication, TokenContext
from apps.v3.gate.errors import exception_handler
from apps.v3.gate.permissions import OperationGate, operation_method
from apps.v3.gate.throttling import ApplicationRateLimit
from apps.v3.http.bodies import V3JSONParser, read_body
from apps.v3.http.params import parse_query, path_int, path_uuid


class V3View(APIView):
    """A view answering one or more spec operations, behind the gate.

    ``operation_ids`` maps each HTTP method the view answers to the spec's ``operationId``; the
    gate reads it to find the operation's scopes and privileges, and ``make ops`` to count it.
    A handler reads its request through :meth:`body`, :meth:`query` and :meth:`path_id`, which
    check it against the request's own operation, so no handler names its operation again.
    Every query in a subclass goes through ``self.account`` so it stays in the token's account.
    """

    operation_ids: ClassVar[dict[str, str]] = {}
    authentication_classes = [BearerJWTAuthentication]
    permission_classes = [OperationGate]
    throttle_classes = [ApplicationRateLimit]
    parser_classes = [V3JSONParser]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self) -> Any:
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Refuse a method the view answers no operation for before the gate looks it up (405, ``Allow``)."""
        method = str(request.method).lower()
        if method != "options" and operation_method(method) not in self.operation_ids:
            raise MethodNotAllowed(str(request.method))
        super().initial(request, *args, **kwargs)

    # OPTIONS only lists the methods (``Allow``), which the routes make public anyway; a browser's
    # CORS preflight carries no token, so it is not an operation to authenticate, gate or count.
    def perform_authentication(self, request: Request) -> None:
        if str(request.method).lower() != "options":
            super().perform_authentication(request)

    def check_permissions(self, request: Request) -> None:
        if str(request.method).lower() != "options":
            super().check_permissions(request)

    def check_throttles(self, request: Request) -> None:
        if str(request.method).lower() != "options":
            super().check_throttles(request)

    def options(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """200 with an empty body and ``Allow`` (set for every response by DRF), as Django's own views answer."""
        return Response(status=200)

    @property
    def allowed_methods(self) -> list[str]:
        """The methods with an operation, plus HEAD beside GET and OPTIONS: what ``Allow`` lists."""
        methods = [m.upper() for m in self.operation_ids]
        if "GET" in methods:
            methods.append("HEAD")
        return [*methods, "OPTIONS"]

    @property
    def operation_id(self) -> str:
        """The spec operation the current request addresses (HEAD is GET's)."""
        return self.operation_ids[operation_method(str(self.request.method))]

    def body(self) -> Any:
        """The request's JSON body, checked against the operation's body schema (a 4xx naming the fault)."""
        return read_body(self.operation_id, self.request)

    def query(self, params: QueryDict | None = None) -> dict[str, Any]:
        """The operation's query parameters (or ``params``, a query the handler adjusted), parsed by its declaration."""
        return parse_query(self.operation_id, self.request.query_params if params is None else params)

    def path_id(self, name: str, raw: str) -> Any:
        """The path id ``name`` as the operation declares it: an int32 or a UUID; malformed, its 400 (else 404)."""
        declared = next(p for p in operation_by_id(self.operation_id).parameters if p["name"] == name)
        read = path_int if declared.get("type") == "integer" else path_uuid
        return read(self.operation_id, name, raw)

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
