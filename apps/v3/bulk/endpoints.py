"""Bulk Activities: the POSTs that queue an activity, the activity status reads, the export download.

Every POST checks its request, creates the activity and answers 201 with it at once; the work
happens in a Celery task (``apps.v3.bulk``). More than 1,000 queued activities for the
account answers 429.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, ClassVar

from django.http import FileResponse
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.mediatypes import _MediaType

from apps.v3.account.models import Account
from apps.v3.bulk import deletes, exports, imports, memberships, retention
from apps.v3.bulk.models import Activity, ActivityKind, ActivityState
from apps.v3.bulk.runner import Plan, check_queue, schedule
from apps.v3.bulk.serializers import activity_data
from apps.v3.gate.errors import bad_request, not_found
from apps.v3.http.base import V3View
from apps.v3.http.bodies import JSON_CHARSETS, TooDeep, loads, media_type_error
from apps.v3.http.paging import keyset_page, next_link

# GET /activities lists the activities of the past ten days, as the spec describes it.
LISTED_DAYS = 10
# The JSON import's stated body limit; larger bodies cannot be cut to size and still parse.
MAX_JSON_BYTES = imports.MAX_BYTES
# A file import keeps its first 4 MB, as the spec says; an upload far past that is refused before
# it is stored anywhere, so nobody can fill the disk with one request.
MAX_UPLOAD_BYTES = 4 * imports.MAX_BYTES


def _activity(account: Account, activity_id: uuid.UUID, raw_id: str, **filters: Any) -> Activity:
    """The account's activity with this id (404 for any other)."""
    activity = Activity.objects.filter(account=account, activity_id=activity_id, **filters).first()
    if activity is None:
        raise not_found(f"No activity {raw_id} in this account.")
    return activity


class ActivitiesView(V3View):
    """``GET /activities``: the account's activities of the past ten days, newest first."""

    operation_ids = {"get": "getActivityStatusCollection"}

    def get(self, request: Request) -> Response:
        query = self.query()
        since = timezone.now() - timedelta(days=LISTED_DAYS)
        activities = Activity.objects.filter(account=self.account, created_at__gte=since)
        state = query.get("state")
        if state == ActivityState.PROCESSING:
            # The filter has no "initialized": a queued activity is one being processed.
            activities = activities.filter(state__in=(ActivityState.INITIALIZED, ActivityState.PROCESSING))
        elif state:
            activities = activities.filter(state=state)
        page = keyset_page(activities, query["limit"], query.get("cursor"), order=("-pk",))
        return Response(
            {
                "activities": [activity_data(a) for a in page.rows],
                "_links": next_link("/v3/activities", query, page.next_cursor),
            }
        )


class ActivityView(V3View):
    """``GET /activities/{activity_id}``."""

    operation_ids = {"get": "getActivity"}

    def get(self, request: Request, activity_id: str) -> Response:
        return Response(activity_data(_activity(self.account, self.path_id("activity_id", activity_id), activity_id)))


class ContactExportFileView(V3View):
    """``GET /contact_exports/{file_export_id}``: the CSV file of a completed export."""

    operation_ids = {"get": "getContactsExport"}

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The file is text/csv whatever the client accepts; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request: Request, file_export_id: str) -> FileResponse:
        activity = _activity(
            self.account,
            self.path_id("file_export_id", file_export_id),
            file_export_id,
            kind=ActivityKind.CONTACT_EXPORT,
        )
        handle = retention.open_export_file(activity)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"contact_export_{activity.activity_id}.csv",
            content_type="text/csv; charset=utf-8",
        )


class ActivityCreateView(V3View):
    """A POST that checks its JSON body with :meth:`plan` and queues an activity of ``kind``."""

    kind: ClassVar[str]

    def plan(self, body: Any) -> Plan:
        """The checked request: each operation's reader."""
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        check_queue(self.account)  # before the body is read: a full queue needs no checking
        body = self.body()
        plan = self.plan(body)
        return Response(activity_data(schedule(self.account, self.kind, plan)), status=status.HTTP_201_CREATED)


class FileImportView(V3View):
    """``POST /activities/contacts_file_import`` (multipart/form-data)."""

    operation_ids = {"post": "contactsCSVImport"}
    parser_classes = [MultiPartParser]

    def post(self, request: Request) -> Response:
        check_queue(self.account)
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES:
            raise bad_request(f"body: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; a file imports at most 4 MB")
        try:
            data, files = request.data, request.FILES
        except ParseError as exc:
            raise bad_request(f"body: not a readable multipart/form-data request: {exc.detail}") from exc
        plan = imports.read_file_import(self.account, data, files.get("file"))
        activity = schedule(self.account, ActivityKind.FILE_IMPORT, plan)
        return Response(activity_data(activity), status=status.HTTP_201_CREATED)


class JsonImportView(V3View):
    """``POST /activities/contacts_json_import``: bodies up to 4 MB (Django's form limit does not apply)."""

    operation_ids = {"post": "bulkImportContactsJSON"}

    def post(self, request: Request) -> Response:
        check_queue(self.account)
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type != "application/json":
            raise media_type_error(
                self.operation_id, f"Content-Type: expected application/json, got {content_type or 'none'}"
            )
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        raw = request._request.read(MAX_JSON_BYTES + 1) if declared <= MAX_JSON_BYTES else b""
        if declared > MAX_JSON_BYTES or len(raw) > MAX_JSON_BYTES:
            raise bad_request(f"body: larger than {MAX_JSON_BYTES // (1024 * 1024)} MB; split the import")
        charset = _MediaType(request.content_type).params.get("charset", "utf-8").strip("\"'").lower()
        if charset not in JSON_CHARSETS:
            raise media_type_error(self.operation_id, f"Content-Type: charset {charset} (JSON bodies are UTF-8)")
        try:
            body = loads(raw)
        except TooDeep as exc:
            raise bad_request(str(exc), key="api.malformed_json") from None
        except ValueError as exc:
            raise bad_request(f"body: not valid JSON ({exc})", key="api.malformed_json") from None
        plan = imports.read_json_import(self.account, body)
        activity = schedule(self.account, ActivityKind.JSON_IMPORT, plan)
        return Response(activity_data(activity), status=status.HTTP_201_CREATED)


class ContactExportView(ActivityCreateView):
    """``POST /activities/contact_exports``."""

    operation_ids = {"post": "postContactsExport"}
    kind = ActivityKind.CONTACT_EXPORT

    def plan(self, body: Any) -> Plan:
        return exports.read_contact_export(self.account, body)


class ContactDeleteView(ActivityCreateView):
    """``POST /activities/contact_delete``."""

    operation_ids = {"post": "postContactDelete"}
    kind = ActivityKind.CONTACT_DELETE

    def plan(self, body: Any) -> Plan:
        return deletes.read_contact_delete(self.account, body)


class AddListMembershipsView(ActivityCreateView):
    """``POST /activities/add_list_memberships``."""

    operation_ids = {"post": "postListAddContact"}
    kind = ActivityKind.ADD_LIST_MEMBERSHIPS

    def plan(self, body: Any) -> Plan:
        return memberships.read_add_list_memberships(self.account, body)


class RemoveListMembershipsView(ActivityCreateView):
    """``POST /activities/remove_list_memberships``."""

    operation_ids = {"post": "postListRemoveContact"}
    kind = ActivityKind.REMOVE_LIST_MEMBERSHIPS

    def plan(self, body: Any) -> Plan:
        return memberships.read_remove_list_memberships(self.account, body)


class ListDeleteView(ActivityCreateView):
    """``POST /activities/list_delete``."""

    operation_ids = {"post": "postListDelete"}
    kind = ActivityKind.LIST_DELETE

    def plan(self, body: Any) -> Plan:
        return deletes.read_list_delete(self.account, body)


class TaggingsAddView(ActivityCreateView):
    """``POST /activities/contacts_taggings_add``."""

    operation_ids = {"post": "postTagAddContact"}
    kind = ActivityKind.ADD_TAGGINGS

    def plan(self, body: Any) -> Plan:
        return memberships.read_taggings(self.account, body)


class TaggingsRemoveView(ActivityCreateView):
    """``POST /activities/contacts_taggings_remove``."""

    operation_ids = {"post": "postTagRemoveContact"}
    kind = ActivityKind.REMOVE_TAGGINGS

    def plan(self, body: Any) -> Plan:
        return memberships.read_taggings(self.account, body)


class TagsDeleteView(ActivityCreateView):
    """``POST /activities/contacts_tags_delete``."""

    operation_ids = {"post": "postTagDelete"}
    kind = ActivityKind.TAG_DELETE

    def plan(self, body: Any) -> Plan:
        return deletes.read_tag_delete(self.account, body)


class CustomFieldsDeleteView(ActivityCreateView):
    """``POST /activities/custom_fields_delete``."""

    operation_ids = {"post": "postCustomFieldDelete"}
    kind = ActivityKind.CUSTOM_FIELD_DELETE

    def plan(self, body: Any) -> Plan:
        return deletes.read_custom_field_delete(self.account, body)
