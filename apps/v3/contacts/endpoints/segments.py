"""Segments: list, create, read, update, rename and delete segments (saved contact criteria)."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.contacts.serializers.segments import segment_detail_data, segments_data
from apps.v3.contacts.services import segments as service
from apps.v3.http.base import V3View
from apps.v3.http.paging import keyset_page, next_link, query_of


class SegmentsView(V3View):
    """``GET`` and ``POST /segments``."""

    operation_ids = {"get": "getAccountSegments", "post": "createSegment"}

    def get(self, request: Request) -> Response:
        query = self.query()
        limit, order = service.page_options(query)
        page = keyset_page(service.live_segments(self.account), limit, query.get("cursor"), order)
        return Response(segments_data(page.rows, next_link(request.path, query_of(request), page.next_cursor)))

    def post(self, request: Request) -> Response:
        segment = service.create_segment(self.account, self.body())
        return Response(segment_detail_data(segment), status=status.HTTP_201_CREATED)


class SegmentView(V3View):
    """``GET``, ``PUT`` and ``DELETE /segments/{segment_id}``."""

    operation_ids = {"get": "getSegmentDetail", "put": "updateSegment", "delete": "deleteSegment"}

    def get(self, request: Request, segment_id: str) -> Response:
        # Deleted segments stay readable by id: campaign history still names them.
        found = service.find_segment(self.account, self.path_id("segment_id", segment_id), live=False)
        return Response(segment_detail_data(found))

    def put(self, request: Request, segment_id: str) -> Response:
        segment = service.update_segment(self.account, self.path_id("segment_id", segment_id), self.body())
        return Response(segment_detail_data(segment))

    def delete(self, request: Request, segment_id: str) -> Response:
        service.delete_segment(self.account, self.path_id("segment_id", segment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SegmentNameView(V3View):
    """``PATCH /segments/{segment_id}/name``."""

    operation_ids = {"patch": "updateSegmentName"}

    def patch(self, request: Request, segment_id: str) -> Response:
        segment = service.rename_segment(self.account, self.path_id("segment_id", segment_id), self.body())
        return Response(segment_detail_data(segment))
