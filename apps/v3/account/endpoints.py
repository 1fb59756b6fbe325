"""Account Services: the account summary, its physical address, its emails, the user's privileges."""

from __future__ import annotations

import smtplib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.account import services as service
from apps.v3.account.models import PRIVILEGE_IDS
from apps.v3.http.base import V3View


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
        query = self.query()
        return Response(service.account_summary(self.account, set(query.get("extra_fields", []))))

    def put(self, request: Request) -> Response:
        account = service.update_account_summary(self.account, self.body())
        return Response(service.customer_put_data(account))


class PhysicalAddressView(V3View):
    """``GET``, ``POST`` and ``PUT /account/summary/physical_address``."""

    operation_ids = {"get": "getPhysicalAddress", "post": "addPhysicalAddress", "put": "putPhysicalAddress"}

    def get(self, request: Request) -> Response:
        return Response(service.physical_address_data(service.get_physical_address(self.account)))

    def post(self, request: Request) -> Response:
        address = service.add_physical_address(self.account, self.body())
        return Response(service.physical_address_data(address), status=status.HTTP_201_CREATED)

    def put(self, request: Request) -> Response:
        address = service.replace_physical_address(self.account, self.body())
        return Response(service.physical_address_data(address))


class AccountEmailsView(V3View):
    """``GET`` and ``POST /account/emails``."""

    operation_ids = {"get": "retrieveEmailAddresses", "post": "addAccountEmailAddress"}

    def get(self, request: Request) -> Response:
        emails = service.list_account_emails(self.account, self.query())
        return Response([service.account_email_data(email) for email in emails])

    def post(self, request: Request) -> Response:
        email = service.add_account_email(self.account, self.body())
        data = service.account_email_data(email)
        created = {key: data[key] for key in ("email_address", "email_id", "confirm_status")}
        return Response(created, status=status.HTTP_201_CREATED)


def _page(
    request: HttpRequest, title: str, message: str, status: int = 200, action: str = "", button: str = ""
) -> HttpResponse:
    """A page of the link; ``action`` and ``button`` make its one button (a POST with CSRF)."""
    context = {"title": title, "message": message, "action": action, "button": button}
    return render(request, "v3/confirm/account_email.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_account_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link mailed to a new account email address (outside /v3).

    Opening it (GET) only asks: mail scanners fetch links, and an address someone else added must
    not be confirmed without its owner. The button (POST ``action=confirm``) confirms; on an expired
    link the button (``action=resend``) mails a new link.
    """
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "resend":
        try:
            email, outcome = service.resend_confirmation(token)
        except (smtplib.SMTPException, OSError):
            message = "The new link could not be sent. Try again in a few minutes."
            return _page(request, "Link not sent", message, status=503)
    elif action == "confirm":
        email, outcome = service.confirm_account_email(token)
    elif request.method == "POST":
        return _page(request, "Nothing was done", "Use the button on the page the link opens.", status=400)
    else:
        email, outcome = service.inspect_link(token)
    if email is None or outcome == service.LinkOutcome.INVALID:
        message = (
            "This confirmation link is not valid. Check that it was copied whole; "
            "if a newer link was sent since, only that one works."
        )
        return _page(request, "Link not recognized", message, status=404)
    if outcome == service.LinkOutcome.READY:
        message = format_html(
            "{} was added to a Constant Contact account as an address it may send from. "
            "Confirm it only if this is your address and you expected this.",
            email.email_address,
        )
        button = f"Confirm {email.email_address}"
        return _page(request, "Confirm your email address", message, action="confirm", button=button)
    if outcome == service.LinkOutcome.EXPIRED:
        message = format_html(
            "This link to confirm {} was valid for {} and has expired. A new link can be sent to the same address.",
            email.email_address,
            service.confirmation_link_lifetime_text(),
        )
        return _page(request, "Link expired", message, status=410, action="resend", button="Send a new link")
    if outcome == service.LinkOutcome.RESENT:
        message = format_html("A new confirmation link was sent to {}. This link no longer works.", email.email_address)
        return _page(request, "New link sent", message)
    title = "Email address confirmed" if outcome == service.LinkOutcome.CONFIRMED else "Already confirmed"
    return _page(request, title, format_html("{} is confirmed and can now be used to send email.", email.email_address))
