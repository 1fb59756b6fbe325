"""Contacts Custom Fields: the account's custom fields, listed, created, read, updated and deleted."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.contacts import services as actions
from apps.v3.contacts.models import CustomField
from apps.v3.contacts.serializers.contacts import custom_field_prefetch, custom_field_resource
from apps.v3.http.base import V3View
from apps.v3.http.paging import keyset_page, next_link
from apps.v3.http.params import CURSOR


class CustomFieldsView(V3View):
    """``GET /contact_custom_fields`` (cursor-paged) and ``POST /contact_custom_fields``."""

    operation_ids = {"get": "getCustomFields", "post": "postCustomFields"}

    def get(self, request: Request) -> Response:
        params = self.query()
        fields = CustomField.objects.filter(account=self.account).prefetch_related(custom_field_prefetch())
        page = keyset_page(fields, params["limit"], params.get(CURSOR))
        query = {k: request.query_params.getlist(k) for k in request.query_params}
        return Response(
            {
                "custom_fields": [custom_field_resource(f) for f in page.rows],
                "_links": next_link(request.path, query, page.next_cursor),
            }
        )

    def post(self, request: Request) -> Response:
        created = actions.create_custom_field(self.account, self.body())
        return Response(custom_field_resource(actions.find_custom_field(self.account, created.custom_field_id)), 201)


class CustomFieldView(V3View):
    """``GET``, ``PUT`` and ``DELETE /contact_custom_fields/{custom_field_id}``."""

    operation_ids = {"get": "getCustomField", "put": "putCustomField", "delete": "deleteCustomField"}

    def get(self, request: Request, custom_field_id: str) -> Response:
        field_id = self.path_id("custom_field_id", custom_field_id)
        return Response(custom_field_resource(actions.find_custom_field(self.account, field_id)))

    def put(self, request: Request, custom_field_id: str) -> Response:
        field_id = self.path_id("custom_field_id", custom_field_id)
        custom_field = actions.find_custom_field(self.account, field_id)
        actions.update_custom_field(self.account, custom_field, self.body())
        return Response(custom_field_resource(actions.find_custom_field(self.account, field_id)))

    def delete(self, request: Request, custom_field_id: str) -> Response:
        field_id = self.path_id("custom_field_id", custom_field_id)
        actions.delete_custom_field(actions.find_custom_field(self.account, field_id))
        return Response(status=204)
