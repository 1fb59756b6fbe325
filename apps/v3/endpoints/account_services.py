"""Account Services: the account summary, its physical address, its emails, the user's privileges."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.models import PRIVILEGE_IDS

from .base import V3View


class UserPrivilegesView(V3View):
    """``GET /account/user/privileges``."""

    operation_ids = {"get": "getUserPrivileges"}

    def get(self, request: Request) -> Response:
        privileges = sorted(self.token.privileges, key=PRIVILEGE_IDS.__getitem__)
        return Response([{"privilege_id": PRIVILEGE_IDS[p], "privilege_name": p} for p in privileges])
