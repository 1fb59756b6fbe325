"""Technology Partners: client accounts, plans, cancellation, the sync proxy, SSO users, unsubscribes."""

from __future__ import annotations

from django.http import QueryDict
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.partners.endpoints.base import PartnerView
from apps.v3.partners.serializers.accounts import cancellation_data, plan_data, site_owner
from apps.v3.partners.services import cancellation, plans, provisioning, sync, unsubscribe, users
from apps.v3.partners.services import clients as service
from apps.v3.partners.services.checks import refuse
from apps.v3.partners.services.clients import client_account


class PartnerAccountsView(PartnerView):
    """``GET`` and ``POST /partner/accounts``."""

    operation_ids = {"get": "getPartnerSiteOwners", "post": "provision"}

    def get(self, request: Request) -> Response:
        # limit and offset are read here: an out-of-range limit falls back to the default, not a 400.
        rest = QueryDict(mutable=True)
        for name, values in request.query_params.lists():
            if name not in ("limit", "offset"):
                rest.setlist(name, values)
        query = self.query(rest)
        limit = service.page_limit(request.query_params.get("limit"))
        offset = service.page_offset(request.query_params.get("offset"))
        account_type = query.get("account_type") or "all"
        rows, more = service.partner_accounts(self.partner, account_type, offset, limit)
        body: dict[str, object] = {"site_owner_list": [site_owner(a, a.subscriber_count) for a in rows]}
        if more:
            href = f"/v3/partner/accounts?offset={offset + limit}&limit={limit}&account_type={account_type}"
            body["_links"] = {"next": {"href": href}}
        return Response(body)

    def post(self, request: Request) -> Response:
        client = provisioning.provision(self.partner, self.body())
        body = {"encoded_account_id": client.account.encoded_account_id, "provision_uuid": str(client.provision_uuid)}
        return Response(body, status=status.HTTP_201_CREATED)


class PlanView(PartnerView):
    """``GET`` and ``PUT /partner/accounts/{encoded_account_id}/plan``."""

    operation_ids = {"get": "getPlan", "put": "setPlan"}

    def get(self, request: Request, encoded_account_id: str) -> Response:
        client = client_account(self.partner, encoded_account_id, other_partner_is_400=True)
        return Response(plan_data(client, plans.current_tier(client)))

    def put(self, request: Request, encoded_account_id: str) -> Response:
        client = client_account(self.partner, encoded_account_id, other_partner_is_400=True)
        client = plans.set_plan(client, self.body() or {})
        return Response(plan_data(client, plans.current_tier(client)))


class CancelView(PartnerView):
    """``PUT /partner/accounts/{encoded_account_id}/status/cancel``."""

    operation_ids = {"put": "cancelAccount"}

    def put(self, request: Request, encoded_account_id: str) -> Response:
        client = client_account(self.partner, encoded_account_id, other_partner_is_400=True)
        return Response(cancellation_data(cancellation.cancel(client, self.body() or {})))


class SyncView(PartnerView):
    """``POST /partner/accounts/{encoded_account_id}/account_operations/sync``."""

    operation_ids = {"post": "partnerAccountOperationsPostSync"}

    def post(self, request: Request, encoded_account_id: str) -> Response:
        client = client_account(self.partner, encoded_account_id)
        data = self.body()
        if not isinstance(data, dict):
            data = {}
        for field in ("account_operation_url", "account_operation_method"):
            if field not in data:
                raise refuse(field, "required")
        outcome = sync.call(client, data, request)
        return Response(outcome.body, status=outcome.status, headers={sync.STATUS_HEADER: str(outcome.inner_status)})


class SSOUsersView(PartnerView):
    """``POST /partner/accounts/{encoded_account_id}/users/sso``."""

    operation_ids = {"post": "createSSOUser"}

    def post(self, request: Request, encoded_account_id: str) -> Response:
        client = client_account(self.partner, encoded_account_id)
        users.create_sso_user(client, self.body())
        return Response(status=status.HTTP_201_CREATED)


class UnsubscribeView(PartnerView):
    """``POST /partner/accounts/{encoded_account_id}/contacts/unsubscribe``."""

    operation_ids = {"post": "partnerUnsubscribeContacts"}

    def post(self, request: Request, encoded_account_id: str) -> Response:
        client = client_account(self.partner, encoded_account_id)
        return Response({"unsubscribed_count": unsubscribe.unsubscribe(client, self.body())})
