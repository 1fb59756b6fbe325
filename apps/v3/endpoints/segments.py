"""Segments: list, create, read, update, rename and delete segments (saved contact criteria)."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.serializers.segments import segment_detail_data, segments_data
from apps.v3.services import segments as service

from .base import V3View
from .bodies import read_body
from .paging import keyset_page, next_link, query_of
from .params import parse_query, path_int


def _segment_id(operation_id: str, raw: str) -> str:
    """The checked ``segment_id``, as the segments service takes it."""
    return str(path_int(operation_id, "segment_id", raw))


class SegmentsView(V3View):
    """``GET`` and ``POST /segments``."""

    operation_ids = {"get": "getAccountSegments", "post": "createSegment"}

    def get(self, request: Request) -> Response:
        query = parse_query("getAccountSegments", request.query_params)
        limit, order = service.page_options(query)
        page = keyset_page(service.live_segments(self.account), limit, query.get("cursor"), order)
        return Response(segments_data(page.rows, next_link(request.path, query_of(request), page.next_cursor)))

    def post(self, request: Request) -> Response:
        segment = service.create_segment(self.account, read_body("createSegment", request))
        return Response(segment_detail_data(segment), status=status.HTTP_201_CREATED)


class SegmentView(V3View):
    """``GET``, ``PUT`` and ``DELETE /segments/{segment_id}``."""

    operation_ids = {"get": "getSegmentDetail", "put": "updateSegment", "delete": "deleteSegment"}

    def get(self, request: Request, segment_id: str) -> Response:
        # Deleted segments stay readable by id: campaign history still names them.
        found = service.find_segment(self.account, _segment_id("getSegmentDetail", segment_id), live=False)
        return Response(segment_detail_data(found))

    def put(self, request: Request, segment_id: str) -> Response:
        segment_id = _segment_id("updateSegment", segment_id)
        segment = service.update_segment(self.account, segment_id, read_body("updateSegment", request))
        return Response(segment_detail_data(segment))

    def delete(self, request: Request, segment_id: str) -> Response:
        service.delete_segment(self.account, _segment_id("deleteSegment", segment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SegmentNameView(V3View):
    """``PATCH /segments/{segment_id}/name``."""

    operation_ids = {"patch": "updateSegmentName"}

    def patch(self, request: Request, segment_id: str) -> Response:
        segment_id = _segment_id("updateSegmentName", segment_id)
        segment = service.rename_segment(self.account, segment_id, read_body("updateSegmentName", request))
        return Response(segment_detail_data(segment))
