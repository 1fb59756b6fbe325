"""Contact Tags: list, create, read, rename and delete tags."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.bulk import deletes
from apps.v3.contacts.serializers.tags import tag_data, tag_delete_data, tags_data
from apps.v3.contacts.services import tags as service
from apps.v3.http.base import V3View
from apps.v3.http.paging import keyset_page, next_link, query_of


class ContactTagsView(V3View):
    """``GET`` and ``POST /contact_tags``."""

    operation_ids = {"get": "getTags", "post": "postTag"}

    def get(self, request: Request) -> Response:
        query = self.query()
        page = keyset_page(service.account_tags(self.account), service.check_limit(query["limit"]), query.get("cursor"))
        counts = service.contacts_counts(page.rows) if query["include_count"] else None
        return Response(tags_data(page.rows, counts, next_link(request.path, query_of(request), page.next_cursor)))

    def post(self, request: Request) -> Response:
        tag = service.create_tag(self.account, self.body())
        return Response(tag_data(tag), status=status.HTTP_201_CREATED)


class ContactTagView(V3View):
    """``GET``, ``PUT`` and ``DELETE /contact_tags/{tag_id}``."""

    operation_ids = {"get": "getTag", "put": "putTag", "delete": "deleteTag"}

    def get(self, request: Request, tag_id: str) -> Response:
        query = self.query()
        tag = service.find_tag(self.account, self.path_id("tag_id", tag_id))
        count = service.contacts_counts([tag]).get(tag.pk, 0) if query["include_count"] else None
        return Response(tag_data(tag, count))

    def put(self, request: Request, tag_id: str) -> Response:
        return Response(tag_data(service.rename_tag(self.account, self.path_id("tag_id", tag_id), self.body())))

    def delete(self, request: Request, tag_id: str) -> Response:
        # Hidden now; untagged and removed by the activity (docs/decisions/contacts.md#deleting-a-list-or-tag).
        activity = deletes.delete_tag(self.account, self.path_id("tag_id", tag_id))
        return Response(tag_delete_data(activity), status=status.HTTP_202_ACCEPTED)
