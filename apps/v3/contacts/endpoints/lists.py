"""Contact Lists: list, create, read, update and delete lists, and cross-reference V2 list ids."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.bulk import deletes
from apps.v3.bulk.serializers import activity_path
from apps.v3.contacts.serializers.lists import contact_list_data, contact_lists_data, list_delete_data, list_xrefs_data
from apps.v3.contacts.services import lists as service
from apps.v3.http.base import V3View
from apps.v3.http.paging import keyset_page, next_link, query_of


class ContactListsView(V3View):
    """``GET`` and ``POST /contact_lists``."""

    operation_ids = {"get": "getLists", "post": "createList"}

    def get(self, request: Request) -> Response:
        # status takes comma-separated values though the spec types it as one enum member.
        params = request.query_params.copy()
        raw_status = params.pop("status", [None])[-1]
        query = service.list_query(self.query(params), raw_status)
        lists = service.filtered_lists(self.account, query)
        page = keyset_page(lists, query.limit, query.cursor)
        counts = service.membership_counts(page.rows, query.count_mode, query.sms) if query.count_mode else None
        total = lists.count() if query.include_count else None
        links = next_link(request.path, query_of(request), page.next_cursor)
        return Response(contact_lists_data(page.rows, counts, total, links))

    def post(self, request: Request) -> Response:
        contact_list = service.create_list(self.account, self.body())
        return Response(contact_list_data(contact_list), status=status.HTTP_201_CREATED)


class ContactListView(V3View):
    """``GET``, ``PUT`` and ``DELETE /contact_lists/{list_id}``."""

    operation_ids = {"get": "getList", "put": "putList", "delete": "deleteListActivity"}

    def get(self, request: Request, list_id: str) -> Response:
        mode = self.query().get("include_membership_count")
        contact_list = service.find_list(self.account, self.path_id("list_id", list_id))
        count = service.membership_counts([contact_list], mode).get(contact_list.pk, 0) if mode else None
        return Response(contact_list_data(contact_list, count))

    def put(self, request: Request, list_id: str) -> Response:
        contact_list = service.update_list(self.account, self.path_id("list_id", list_id), self.body())
        return Response(contact_list_data(contact_list))

    def delete(self, request: Request, list_id: str) -> Response:
        # Gone from every listing now; its memberships go with the activity
        # (docs/decisions/contacts.md#deleting-a-list-or-tag).
        activity = deletes.delete_list(self.account, self.path_id("list_id", list_id))
        headers = {"Location": request.build_absolute_uri(activity_path(activity))}
        return Response(list_delete_data(activity), status=status.HTTP_202_ACCEPTED, headers=headers)


class ListIdXrefsView(V3View):
    """``GET /contact_lists/list_id_xrefs``: V2 sequence ids to V3 list ids."""

    operation_ids = {"get": "getListIdXrefs"}

    def get(self, request: Request) -> Response:
        query = self.query()
        return Response(list_xrefs_data(service.list_xrefs(self.account, query["sequence_ids"])))
