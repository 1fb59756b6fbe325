"""Account Services: the account summary, its physical address, its emails, the user's privileges."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework import status
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.gate.errors import bad_request
from apps.v3.models import PRIVILEGE_IDS
from apps.v3.services import account as service

from .base import V3View
from .bodies import parse_body
from .params import parse_query


class UserPrivilegesView(V3View):
    """``GET /account/user/privileges``."""

    operation_ids = {"get": "getUserPrivileges"}

    def get(self, request: Request) -> Response:
        privileges = sorted(self.token.privileges, key=PRIVILEGE_IDS.__getitem__)
        return Response([{"privilege_id": PRIVILEGE_IDS[p], "privilege_name": p} for p in privileges])


class AccountSummaryView(V3View):
    """``GET`` and ``PUT /account/summary``."""

    operation_ids = {"get": "getAccountById", "put": "putCustomerById"}

    def get(self, request: Request) -> Response:
        query = parse_query("getAccountById", request.query_params)
        return Response(service.account_summary(self.account, set(query.get("extra_fields", []))))

    def put(self, request: Request) -> Response:
        try:
            body = parse_body("putCustomerById", request)
        except UnsupportedMediaType as exc:
            # putCustomerById declares no 415; its 400 covers a body that is not JSON (docs/decisions.md).
            raise bad_request(str(exc.detail), key="api.unsupported_media_type") from exc
        account = service.update_account_summary(self.account, body)
        return Response(service.customer_put_data(account))


class PhysicalAddressView(V3View):
    """``GET``, ``POST`` and ``PUT /account/summary/physical_address``."""

    operation_ids = {"get": "getPhysicalAddress", "post": "addPhysicalAddress", "put": "putPhysicalAddress"}

    def get(self, request: Request) -> Response:
        return Response(service.physical_address_data(service.get_physical_address(self.account)))

    def post(self, request: Request) -> Response:
        address = service.add_physical_address(self.account, parse_body("addPhysicalAddress", request))
        return Response(service.physical_address_data(address), status=status.HTTP_201_CREATED)

    def put(self, request: Request) -> Response:
        address = service.replace_physical_address(self.account, parse_body("putPhysicalAddress", request))
        return Response(service.physical_address_data(address))


class AccountEmailsView(V3View):
    """``GET`` and ``POST /account/emails``."""

    operation_ids = {"get": "retrieveEmailAddresses", "post": "addAccountEmailAddress"}

    def get(self, request: Request) -> Response:
        emails = service.list_account_emails(self.account, parse_query("retrieveEmailAddresses", request.query_params))
        return Response([service.account_email_data(email) for email in emails])

    def post(self, request: Request) -> Response:
        email = service.add_account_email(self.account, parse_body("addAccountEmailAddress", request))
        data = service.account_email_data(email)
        created = {key: data[key] for key in ("email_address", "email_id", "confirm_status")}
        return Response(created, status=status.HTTP_201_CREATED)


_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title></head>'
    '<body><main style="font-family: sans-serif; max-width: 36rem; margin: 4rem auto;">'
    "<h1>{}</h1><p>{}</p></main></body></html>"
)


@never_cache
@require_GET
def confirm_account_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link mailed to a new account email address (outside /v3): following it confirms the address."""
    email, confirmed_now = service.confirm_account_email(token)
    if email is None:
        title, message = "Link not recognized", "This confirmation link is not valid. Check that it was copied whole."
        return HttpResponse(format_html(_PAGE, title, title, message), status=404)
    title = "Email address confirmed" if confirmed_now else "Already confirmed"
    message = format_html("{} is confirmed and can now be used to send email.", email.email_address)
    return HttpResponse(format_html(_PAGE, title, title, message))
