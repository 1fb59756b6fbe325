"""A bounded property-based run over every implemented operation, and every method on every route.

schemathesis generates requests from the spec itself (query parameters, path ids, bodies) and
sends them in-process to the WSGI application with a valid bearer token. Whatever it sends,
the service must answer without a 5xx and with a response the spec allows. Methods the spec
does not declare for a path are drawn by Hypothesis beside it: they too must be a 4xx in the
envelope.
"""

from __future__ import annotations

import json
import string
import zlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import hypothesis.internal.conjecture.utils as cu
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import DataGenerationMethod

from apps.v3.campaigns.services import campaigns
from apps.v3.contacts.models import Contact, ContactList, CustomField, Segment, Tag
from apps.v3.contract import load_spec, validate_django_response, validate_error_envelope, validate_response
from apps.v3.contract.coverage import implemented, sample_path
from apps.v3.events.models import Event, TicketType, Track
from tests.v3.campaigns.drafts import SENDER, campaign_body, confirmed_sender
from tests.v3.conftest import V3Api
from tests.v3.events.support import registered


class _ManyWithMore(cu.many):
    """``many`` as hypothesis-jsonschema 0.23 drives it (``while elements.more()``).

    Newer Hypothesis releases dropped ``more()`` for ``with many(...) as e: for _ in e:``, and
    hypothesis-jsonschema, which schemathesis draws every object schema with, still calls it.
    Iterating the new protocol one step per call behaves the same; every other use is untouched.
    """

    _steps: Any = None

    def more(self) -> bool:
        if self._steps is None:
            self.__enter__()
            self._steps = iter(self)
        return next(self._steps, _DONE) is not _DONE


_DONE = object()
if not hasattr(cu.many, "more"):
    cu.many = _ManyWithMore  # type: ignore[misc]

IMPLEMENTED = [operation.operation_id for operation in implemented()]
schema = schemathesis.from_dict(load_spec(), app=get_wsgi_application(), base_url="/v3").include(
    operation_id=IMPLEMENTED
)


# Ids of the rows the ``token`` fixture seeds, for steering generated requests onto real data.
KNOWN: dict[str, str] = {}


@schema.hook("map_case")
def steer_half_onto_real_rows(context: Any, case: Any) -> Any:
    """Make about half the cases name seeded rows and carry the fields the service requires.

    Generated ids and bodies almost never name a real contact or pass the stated rules, so
    without this the run would only ever see 400s and 404s. Which cases are steered depends on
    the generated data alone (a checksum), so Hypothesis can replay and shrink them.
    """
    if case.media_type == "multipart/form-data" and not isinstance(case.body, dict):
        # Negative generation may draw a form that is not an object, which the test client
        # cannot encode as multipart at all; send the drawn value as the one field instead.
        case.body = {"file": json.dumps(case.body)}
    if not KNOWN or zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 2:
        return case
    for name in (
        "contact_id",
        "custom_field_id",
        "list_id",
        "tag_id",
        "segment_id",
        "campaign_id",
        "campaign_activity_id",
    ):
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = KNOWN[name]
    for name in ("event_id", "track_id", "registration_id"):
        if name in (case.path_parameters or {}) and name in KNOWN:
            case.path_parameters[name] = KNOWN[name]
    operation_id = case.operation.definition.raw["operationId"]
    if case.operation.definition.raw.get("tags") == ["Landing Pages Reporting"] and "landing_page_id" in KNOWN:
        case.path_parameters["campaign_activity_id"] = KNOWN["landing_page_id"]
    if operation_id == "getContactIdXrefs" and isinstance(case.query, dict):
        case.query["sequence_ids"] = "1,2,3"
    body = case.body
    if isinstance(body, dict):
        email = f"fuzz-{zlib.crc32(repr(body).encode())}@example.com"
        if operation_id == "createContact":
            body["create_source"] = "Account"
            body.setdefault("first_name", "Fuzz")
        if operation_id == "putContact":
            body["update_source"] = "Account"
        if operation_id in ("postCustomFields", "putCustomField"):
            body.setdefault("label", email.split("@")[0])
        if operation_id == "postCustomFields":
            body["type"] = "single_select" if body.get("choices") else "string"
        if operation_id == "createOrUpdateContact":
            body["email_address"] = email
        if isinstance(body.get("email_address"), dict):
            body["email_address"]["address"] = email
        for key in ("list_memberships", "list_ids"):
            if key in body:
                body[key] = [KNOWN["list_id"]]
        if "taggings" in body:
            body["taggings"] = [KNOWN["tag_id"]]
        _steer_campaign_body(body)
        if body.get("custom_fields"):
            body["custom_fields"] = [{"custom_field_id": KNOWN["custom_field_id"], "value": "steered"}]
    return case


def _steer_campaign_body(body: dict[str, Any]) -> None:
    """Campaign bodies name the seeded confirmed sender and carry the tracking image."""
    # A negative case may make the activities anything (a number, a string): steer only what is a list of objects.
    activities = body.get("email_campaign_activities")
    listed = [a for a in activities if isinstance(a, dict)] if isinstance(activities, list) else []
    for activity in [body, *listed]:
        for key in ("from_email", "reply_to_email"):
            if key in activity:
                activity[key] = SENDER
        if isinstance(activity.get("html_content"), str):
            activity["html_content"] = "[[trackingImage]]" + activity["html_content"][:1000]


def _fuzzed_event(api: V3Api) -> dict[str, str]:
    """An ACTIVE event with one registration, made by the service's own code (no request), for steering."""
    start = timezone.now() + timedelta(days=30)
    event = Event.objects.create(
        account=api.account,
        name="Fuzzed",
        title="Fuzzed",
        status="ACTIVE",
        event_start=start,
        event_end=start + timedelta(hours=2),
    )
    track = Track.objects.create(event=event)
    TicketType.objects.create(track=track, name="General Admission")
    registration = registered(event, "fuzz-registrant@example.com")
    return {
        "event_id": str(event.event_id),
        "track_id": track.track_id,
        "registration_id": str(registration.registration_id),
        # The registration page is a landing page, and the registration its first row (an add).
        "landing_page_id": str(track.campaign_activity_id),
    }


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Iterator[None]:
    """Keep the test's database connection (and its transaction) open across WSGI requests.

    A WSGI request ends by closing old connections, which would drop the test transaction;
    Django's own test client disconnects the same handler for the same reason.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(make_api: Callable[..., V3Api], wsgi_keeps_the_test_connection: None) -> str:
    """A token for an account that already holds a few contacts, lists, tags and fields."""
    api = make_api()
    contact_list = ContactList.objects.create(account=api.account, name="Fuzzed")
    tag = Tag.objects.create(account=api.account, name="Fuzzed")
    field = CustomField.objects.create(account=api.account, label="Fuzzed", name="Fuzzed", type="string")
    segment = Segment.objects.create(account=api.account, name="Fuzzed", segment_criteria=SEGMENT_CRITERIA)
    for n in range(3):
        contact = Contact.objects.create(account=api.account, email_address=f"fuzz{n}@example.com", first_name="F")
        contact.memberships.create(contact_list=contact_list)
    KNOWN.update(
        contact_id=str(contact.contact_id),
        custom_field_id=str(field.custom_field_id),
        list_id=str(contact_list.list_id),
        tag_id=str(tag.tag_id),
        segment_id=str(segment.pk),
    )
    # Made by the service itself: a request through Django's test client here would reconnect the
    # handler that closes the test's connection after every WSGI request.
    confirmed_sender(api.account)
    campaign = campaigns.create_campaign(api.account, campaign_body("Fuzzed"))
    primary = campaign.activities.get(role="primary_email")
    KNOWN.update(campaign_id=str(campaign.campaign_id), campaign_activity_id=str(primary.campaign_activity_id))
    KNOWN.update(_fuzzed_event(api))
    return api.token


@pytest.mark.django_db
@schema.parametrize(data_generation_methods=[DataGenerationMethod.positive, DataGenerationMethod.negative])
@settings(
    max_examples=12,
    deadline=None,
    database=None,  # nothing written to .hypothesis/ in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors_and_only_spec_responses(case: Any, token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    raw = response.get_data()
    content_type = response.headers.get("Content-Type")
    body = json.loads(raw) if raw and content_type and "json" in content_type else (raw.decode() or None)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {raw[:500]!r}"
    validate_response(case.method, "/v3" + case.formatted_path, response.status_code, body, content_type)


# --- methods the spec does not declare ---------------------------------------------------------

SEGMENT_CRITERIA = json.dumps(
    {
        "version": "1.0.0",
        "criteria": {
            "type": "and",
            "group": [{"source": "contact", "field": "first_name", "op": "eq", "const_value": "F"}],
        },
    }
)
ROUTE_PATHS = sorted({sample_path(operation) for operation in implemented()})
# Real methods a path may lack, and made-up ones: tokens of letters as HTTP allows them.
METHODS = st.one_of(
    st.sampled_from(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]),
    st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=10),
)
BODIES = st.one_of(
    st.just(b""),
    st.binary(max_size=200),
    st.builds(
        lambda v: json.dumps(v).encode(),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
            max_leaves=10,
        ),
    ),
)


@pytest.mark.django_db
@given(path=st.sampled_from(ROUTE_PATHS), method=METHODS, body=BODIES)
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_any_method_on_any_route_is_answered_without_a_5xx(
    token: str, client: Client, path: str, method: str, body: bytes
) -> None:
    response = client.generic(
        method, path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code < 500, f"{method} {path}: {response.status_code} {response.content[:300]!r}"
    # The route decides, not the spec's templates: POST /activities/add_list_memberships has no GET,
    # though GET /activities/{activity_id} would match its path.
    view = resolve(path).func.view_class  # type: ignore[attr-defined]
    if method == "OPTIONS":
        assert response.status_code == 200 and "OPTIONS" in response["Allow"]
    elif method == "HEAD":
        assert response.content == b""
    elif method.lower() not in view.operation_ids:
        assert response.status_code == 405, f"{method} {path}: {response.status_code}"
        validate_error_envelope(405, response.json(), f"{method} {path}", view.operation_ids.values())
    else:
        validate_django_response(response, method, path)
