"""The base every V3 endpoint view derives from."""

from __future__ import annotations

from typing import ClassVar

from rest_framework.views import APIView


class V3View(APIView):
    """A view answering one or more spec operations.

    ``operation_ids`` maps each HTTP method the view answers to the spec's ``operationId``; the
    gate reads it to find the operation's scopes and privileges, and ``make ops`` to count it.
    """

    operation_ids: ClassVar[dict[str, str]] = {}
