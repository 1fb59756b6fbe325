"""Events: list and create events, read, update and copy one, check its tickets in, and its registrations."""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jsonschema import Draft4Validator
from rest_framework import status
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.common.text import unstorable_at
from apps.v3.contract import load_spec
from apps.v3.events.serializers.events import copy_data, event_data, listing_data
from apps.v3.events.serializers.registrations import failed_data, registration_detail, registrations_data
from apps.v3.events.services import events as service
from apps.v3.events.services import registrations as registrations_service
from apps.v3.events.services.paging import CursorPage
from apps.v3.gate.errors import bad_request
from apps.v3.http.base import V3View
from apps.v3.http.bodies import media_type_error

# Track keys are short: the spec's examples are six letters and digits (s8zabc, gqz1gb).
TRACK_KEY = re.compile(r"[A-Za-z0-9]{6}")


def _links(request: Request, page: CursorPage) -> dict[str, Any]:
    """``_links`` with the same query and the neighbouring page's cursor; empty when there is none."""
    query = {k: v for k, v in request.query_params.items() if k not in ("next", "prev")}
    links: dict[str, Any] = {}
    for name, cursor in (("next", page.next_cursor), ("prev", page.prev_cursor)):
        if cursor:
            links[name] = {"href": f"{request.path}?{urlencode({**query, name: cursor})}"}
    return links


class EventView(V3View):
    """What every events view shares: the path ids it reads."""

    def event_id(self, raw: str) -> Any:
        return self.path_id("event_id", raw)

    def track_key(self, raw: str) -> str:
        """The ``track_id`` path segment: a malformed one is a 400, like a malformed UUID."""
        if not TRACK_KEY.fullmatch(raw):
            raise bad_request(f"track_id: {raw!r} is not a track id (6 letters and digits)")
        return raw.lower()

    def track(self, event_id: str, track_id: str) -> Any:
        event = self.event_id(event_id)
        return registrations_service.find_track(self.account, event, self.track_key(track_id))


class EventsView(EventView):
    """``GET /events``."""

    operation_ids = {"get": "findEvents"}

    def get(self, request: Request) -> Response:
        page = service.list_events(self.account, self.query())
        metrics = service.registration_metrics(page.rows)
        return Response(listing_data(page, metrics, _links(request, page)))


class DefaultEventView(EventView):
    """``POST /events/default``: a DRAFT event from query parameters."""

    operation_ids = {"post": "addDefaultEvent"}

    def post(self, request: Request) -> Response:
        event = service.create_default_event(self.account, self.query())
        return Response(event_data(event), status=status.HTTP_201_CREATED)


@cache
def _patch_validator() -> Draft4Validator:
    """``EventDto`` with nothing required at its top or in its track: a PATCH names only what changes.

    Nested objects (an address, a promo code) still need their own required fields
    (docs/decisions/events.md#patch-is-partial).
    """
    definitions = load_spec()["definitions"]
    schema = copy.deepcopy(definitions["EventDto"])
    schema.pop("required", None)
    track = copy.deepcopy(definitions["TrackDto"])
    track.pop("required", None)
    schema["properties"]["default_track"] = track
    return Draft4Validator({**schema, "definitions": definitions}, format_checker=Draft4Validator.FORMAT_CHECKER)


class SingleEventView(EventView):
    """``GET`` and ``PATCH /events/{event_id}``."""

    operation_ids = {"get": "getEvent_2", "patch": "patchEvent"}

    def get(self, request: Request, event_id: str) -> Response:
        query = self.query()
        event = service.find_event(self.account, self.event_id(event_id))
        return Response(event_data(event, include=bool(query.get("include"))))

    def patch(self, request: Request, event_id: str) -> Response:
        found = self.event_id(event_id)
        service.patch_event(self.account, found, self._partial_body(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _partial_body(self, request: Request) -> dict[str, Any]:
        raw = request.body  # read before request.data, as the shared body reader does
        try:
            data = request.data
        except UnsupportedMediaType as exc:
            raise media_type_error(self.operation_id, f"Content-Type: {exc.detail}") from None
        if not raw.strip():
            raise bad_request("body: is required")
        if not isinstance(data, dict):
            raise bad_request("body: must be a JSON object")
        found = unstorable_at(data)
        if found is not None:
            raise bad_request(f"{found[0] or 'body'}: {found[1]}")
        errors = sorted(_patch_validator().iter_errors(data), key=lambda e: len(e.absolute_path))
        if errors:
            where = ".".join(str(p) for p in errors[0].absolute_path) or "body"
            raise bad_request(f"{where}: {errors[0].message[:300]}")
        return data


class EventCopyView(EventView):
    """``POST /events/{event_id}/copy``: 200, or 207 naming the campaign activities that did not copy."""

    operation_ids = {"post": "copyEvent"}

    def post(self, request: Request, event_id: str) -> Response:
        found = self.event_id(event_id)
        event, failed = service.copy_event(self.account, found, self.body())
        return Response(copy_data(event, failed), status=status.HTTP_207_MULTI_STATUS if failed else status.HTTP_200_OK)


class CheckInView(EventView):
    """``POST /events/{event_id}/check_in/tickets``."""

    operation_ids = {"post": "checkInTickets"}
    checked_in = True

    def post(self, request: Request, event_id: str) -> Response:
        found = self.event_id(event_id)
        registrations_service.set_checked_in(self.account, found, self.body(), self.checked_in)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UndoCheckInView(CheckInView):
    """``POST /events/{event_id}/undo_check_in/tickets``."""

    operation_ids = {"post": "undoCheckInTickets"}
    checked_in = False


def _updated(failed: list[str]) -> Response:
    """200 with no body when every registration changed (the spec gives the 200 none), else 207 naming the rest."""
    if failed:
        return Response(failed_data(failed), status=status.HTTP_207_MULTI_STATUS)
    return Response(status=status.HTTP_200_OK)


class RegistrationsView(EventView):
    """``GET`` and ``PUT /events/{event_id}/tracks/{track_id}/registrations``."""

    operation_ids = {"get": "findRegistrationsUsingGET", "put": "updateRegistrationStatusUsingPUT"}

    def get(self, request: Request, event_id: str, track_id: str) -> Response:
        track = self.track(event_id, track_id)
        page = registrations_service.list_registrations(track, self.query())
        counts = registrations_service.check_in_counts(page.rows)
        return Response(registrations_data(page, track.track_id, counts, _links(request, page)))

    def put(self, request: Request, event_id: str, track_id: str) -> Response:
        track = self.track(event_id, track_id)
        flags = self.query()
        return _updated(registrations_service.update_registration_status(track, self.body(), flags))


class PaymentStatusView(EventView):
    """``PUT /events/{event_id}/tracks/{track_id}/registrations/payment_status``."""

    operation_ids = {"put": "updateRegistrationPaymentStatusUsingPUT"}

    def put(self, request: Request, event_id: str, track_id: str) -> Response:
        track = self.track(event_id, track_id)
        return _updated(registrations_service.update_payment_status(track, self.body()))


class RegistrationView(EventView):
    """``GET /events/{event_id}/tracks/{track_id}/registrations/{registration_id}``."""

    operation_ids = {"get": "getRegistrationInfo"}

    def get(self, request: Request, event_id: str, track_id: str, registration_id: str) -> Response:
        event, key = self.event_id(event_id), self.track_key(track_id)
        registration_uuid = self.path_id("registration_id", registration_id)
        track = registrations_service.find_track(self.account, event, key)
        registration = registrations_service.find_registration(track, registration_uuid)
        counts = registrations_service.check_in_counts([registration])[registration.pk]
        return Response(registration_detail(registration, counts))
