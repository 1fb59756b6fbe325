"""The sync proxy: a V3 call made as a client account, inside the service (docs/decisions/partners.md#sync-proxy).

The route is resolved in process and its view called with a request built here, carrying the client
account owner's token context; nothing goes over HTTP, so the call meets the same gate, body checks
and account scoping as a call the owner makes.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.core.handlers.wsgi import WSGIRequest
from django.urls import Resolver404, resolve
from rest_framework.request import Request

from apps.v3.account.models import AccountMembership, Role
from apps.v3.gate.authentication import PROXIED_CONTEXT, TokenContext
from apps.v3.gate.errors import not_found
from apps.v3.partners.models import ClientAccount
from apps.v3.partners.services.checks import refuse

ACCOUNT_SCOPES = frozenset({"account_read", "account_update", "contact_data", "campaign_data"})
PLACEHOLDER = re.compile(r"\{([^}/]+)\}")
# Headers the partner may not set on the inner call: who calls is decided here, not by the payload.
RESERVED_HEADERS = frozenset({"authorization", "x-api-key", "host", "content-length", "cookie"})
# Statuses the sync operation declares; an inner call's other 2xx answer as 200, other 4xx as 400
# (its real status in ``x-account-operation-status``).
DECLARED = frozenset({200, 400, 401, 403, 404, 429})
STATUS_HEADER = "x-account-operation-status"


@dataclass(frozen=True)
class Outcome:
    """The inner call's status and decoded body."""

    status: int
    body: Any
    inner_status: int


def _pairs(data: dict[str, Any], field: str, key: str, value: str) -> list[tuple[str, str]]:
    pairs = []
    for item in data.get(field) or []:
        if not isinstance(item, dict) or not isinstance(item.get(key), str) or not item[key]:
            raise refuse(field, f"each entry needs a non-empty {key}")
        pairs.append((item[key], str(item.get(value) if item.get(value) is not None else "")))
    return pairs


def _path(data: dict[str, Any]) -> str:
    template = data["account_operation_url"]
    if not template.startswith("/") or template.startswith("//") or "?" in template or "#" in template:
        raise refuse("account_operation_url", "must be a V3 path such as /contacts/{contact_id}")
    values = dict(_pairs(data, "account_operation_path_parameters", "path_param_key", "path_param_value"))
    missing = [name for name in PLACEHOLDER.findall(template) if name not in values]
    if missing:
        raise refuse("account_operation_path_parameters", f"no value for {', '.join(missing)}")
    path = PLACEHOLDER.sub(lambda m: quote(values[m.group(1)], safe=""), template)
    segments = path.split("/")
    if ".." in segments or "." in segments or path.removeprefix("/").startswith(("v3/", "partner")):
        raise refuse("account_operation_url", "must be a client account V3 path below /v3, without the /v3 prefix")
    return "/v3" + path


def _view(path: str, method: str) -> Any:
    try:
        match = resolve(path)
    except Resolver404:
        raise not_found(f"account_operation_url: no V3 operation at {path}") from None
    view_class = getattr(match.func, "view_class", None)
    operations = getattr(view_class, "operation_ids", None)
    if not operations:
        raise refuse("account_operation_url", f"{path} is not a V3 operation")
    if method.lower() not in operations:
        raise refuse("account_operation_method", f"{path} answers {', '.join(m.upper() for m in operations)}")
    return match


def _context(client: ClientAccount, outer: TokenContext) -> TokenContext:
    owner = (
        AccountMembership.objects.select_related("account", "user")
        .filter(account=client.account, role=Role.ACCOUNT_OWNER)
        .order_by("pk")
        .first()
    )
    if owner is None:
        raise refuse("encoded_account_id", "the client account has no owner to act as")
    claims = {**outer.claims, "account": client.account.encoded_account_id}
    claims.pop("partner", None)
    return TokenContext(outer.access_token, claims, ACCOUNT_SCOPES, owner.account, owner, None)


def call(client: ClientAccount, data: dict[str, Any], outer: Request) -> Outcome:
    """Perform the described call as the client account's owner and return what it answered."""
    method = str(data["account_operation_method"]).upper()
    if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        raise refuse("account_operation_method", "must be GET, POST, PUT, PATCH or DELETE")
    path = _path(data)
    match = _view(path, method)
    query = urlencode(_pairs(data, "account_operation_query_parameters", "query_param_key", "query_param_value"))
    payload = data.get("account_operation_payload") or ""
    body = payload.encode() if method in ("POST", "PUT", "PATCH") else b""
    environ: dict[str, Any] = {
        key: outer.META[key]
        for key in ("SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme", "HTTP_HOST")
        if key in outer.META
    }
    environ.update(
        REQUEST_METHOD=method,
        PATH_INFO=path,
        SCRIPT_NAME="",
        QUERY_STRING=query,
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(body)),
        REMOTE_ADDR=outer.META.get("REMOTE_ADDR", "127.0.0.1"),
    )
    environ["wsgi.input"] = io.BytesIO(body)
    for name, value in _pairs(data, "account_operation_headers", "header_key", "header_value"):
        if name.lower() in RESERVED_HEADERS:
            continue
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    inner = WSGIRequest(environ)
    outer_context = outer.auth
    assert isinstance(outer_context, TokenContext)
    setattr(inner, PROXIED_CONTEXT, _context(client, outer_context))
    response = match.func(inner, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    decoded: Any = None
    if raw:
        decoded = json.loads(raw) if "json" in response.get("Content-Type", "") else raw.decode(errors="replace")
    status = response.status_code
    if status not in DECLARED:
        status = 200 if status < 300 else 400 if status < 500 else status
    return Outcome(status, decoded, response.status_code)
