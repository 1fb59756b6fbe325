"""Every operation that names a resource in its path stays in its token's account, driven by the spec.

For each implemented operation with a path id: another account's real id is a 404 that changes
nothing anywhere, an id of no resource is a 404, and a malformed id is the operation's declared 400
(else 404); and each collection lists only the account's own rows. A new operation is covered the
day its route lands; one naming a new kind of id, or taking a body, fails here until :data:`SEEDS`
or :data:`BODIES` says how to make one. Partner operations are called the same way by two partners
(each with its token and ``x-api-key``), so one partner never reaches another's client accounts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from apps.v3.bulk.handlers import process
from apps.v3.bulk.models import Activity
from apps.v3.campaigns.models import ABTest, CampaignActivity, EmailCampaign, NonOpenerResend
from apps.v3.campaigns.models import TestSendLog as SendLog  # not Test*: pytest would collect it
from apps.v3.contacts.models import Contact, ContactList, CustomField, CustomFieldValue, Segment, Tag, Tagging
from apps.v3.contract import Operation, validate_response
from apps.v3.contract.coverage import implemented
from apps.v3.events.models import Event, Registration, Ticket, Track
from apps.v3.partners.models import ClientAccount, WebhookDelivery, WebhookSubscription
from tests.v3.campaigns.drafts import SENDER, create_campaign
from tests.v3.conftest import V3Api
from tests.v3.events.support import active_event, registered
from tests.v3.partners.support import make_partner, provisioned

CRITERIA = json.dumps(
    {
        "version": "1.0.0",
        "criteria": {
            "type": "and",
            "group": [{"source": "contact", "field": "first_name", "op": "eq", "const_value": "A"}],
        },
    }
)


def _created(api: V3Api, path: str, body: dict[str, Any], key: str) -> str:
    response = api.post(path, body)
    assert response.status_code in (200, 201), response.content
    return str(response.json()[key])


def _exported(api: V3Api) -> str:
    """A finished export's id: its file exists, so the owner can download it."""
    activity_id = _created(api, "/activities/contact_exports", {}, "activity_id")
    process(Activity.objects.get(activity_id=activity_id).pk)
    return activity_id


def _abtested(api: V3Api) -> str:
    """A primary email with an A/B test, so every GET naming a campaign activity reaches something."""
    activity_id = str(create_campaign(api, "Theirs, A/B tested")["primary"])
    body = {"alternative_subject": "B", "test_size": 10, "winner_wait_duration": 6}
    _created(api, f"/emails/activities/{activity_id}/abtest", body, "test_size")
    return activity_id


def _resend(api: V3Api) -> str:
    """A resend to non-openers' own id (the API names a draft one DRAFT)."""
    activity_id = create_campaign(api, "Theirs, resent")["primary"]
    _created(api, f"/emails/activities/{activity_id}/non_opener_resends", RESEND, "resend_subject")
    return str(NonOpenerResend.objects.get(activity__campaign_activity_id=activity_id).resend_request_id)


SENDER_FIELDS = {"from_name": "Me", "from_email": SENDER, "reply_to_email": SENDER, "subject": "Mine"}
RESEND = {"resend_subject": "Again", "delay_days": 1}


def _newest_event(api: V3Api) -> Event:
    """The account's newest event (an ACTIVE one, made if there is none), so event, track and registration ids agree."""
    event = Event.objects.filter(account=api.account).select_related("track").order_by("-pk").first()
    return event if event is not None else active_event(api, name="Theirs")


# How to make, in the other account, the resource each kind of path id names.
SEEDS: dict[str, Callable[[V3Api], str]] = {
    "event_id": lambda api: str(active_event(api, name="Theirs").event_id),
    "track_id": lambda api: _newest_event(api).track.track_id,
    "registration_id": lambda api: str(registered(_newest_event(api), "theirs@example.com").registration_id),
    "contact_id": lambda api: _created(
        api, "/contacts", {"email_address": {"address": "theirs@example.com"}, "create_source": "Account"}, "contact_id"
    ),
    "list_id": lambda api: _created(api, "/contact_lists", {"name": "Theirs"}, "list_id"),
    "tag_id": lambda api: _created(api, "/contact_tags", {"name": "Theirs"}, "tag_id"),
    "custom_field_id": lambda api: _created(
        api, "/contact_custom_fields", {"label": "Theirs", "type": "string"}, "custom_field_id"
    ),
    "segment_id": lambda api: _created(
        api, "/segments", {"name": "Theirs", "segment_criteria": CRITERIA}, "segment_id"
    ),
    "activity_id": lambda api: _created(api, "/activities/contact_exports", {}, "activity_id"),
    "file_export_id": lambda api: _exported(api),
    "campaign_id": lambda api: str(create_campaign(api, "Theirs")["campaign_id"]),
    "campaign_activity_id": _abtested,
    "resend_request_id": _resend,
    # Email Reporting's id lists: one id of the other account.
    "campaign_ids": lambda api: str(create_campaign(api, "Theirs")["campaign_id"]),
    "campaign_activity_ids": _abtested,
    # Partner operations: ``api`` is a partner's client here (see _callers).
    "encoded_account_id": provisioned,
    "topic_id": lambda api: str(
        api.put("/partner/webhooks/subscriptions/1", {"hook_uri": "https://example.com/t"}).json()["topic_id"]
    ),
}
# A body each operation would accept, so that only the id decides the answer.
BODIES: dict[str, dict[str, Any]] = {
    "patchEvent": {"title": "Mine"},
    "copyEvent": {"target_event_name": "Mine"},
    "checkInTickets": {"order_ticket_keys": ["mineminemine"]},
    "undoCheckInTickets": {"order_ticket_keys": ["mineminemine"]},
    "updateRegistrationStatusUsingPUT": {
        "registration_ids": ["00000000-0000-4000-8000-000000000000"],
        "registration_status": "CANCELED",
    },
    "updateRegistrationPaymentStatusUsingPUT": {
        "registration_ids": ["00000000-0000-4000-8000-000000000000"],
        "payment_status": "PAID",
    },
    "putContact": {"email_address": {"address": "mine@example.com"}, "update_source": "Account"},
    "resubscribeContact": {"list_ids": ["00000000-0000-4000-8000-000000000000"]},
    "putList": {"name": "Mine"},
    "putTag": {"name": "Mine"},
    "putCustomField": {"label": "Mine"},
    "updateSegment": {"name": "Mine", "segment_criteria": CRITERIA},
    "updateSegmentName": {"name": "Mine"},
    "renameEmailCampaignUsingPATCH": {"name": "Mine"},
    "updateEmailCampaignActivityUsingPUT": SENDER_FIELDS,
    "createResendToNonOpenersUsingPOST": RESEND,
    "createEmailCampaignABTestUsingPOST": {"alternative_subject": "B", "test_size": 10, "winner_wait_duration": 6},
    "scheduleEmailCampaignActivityUsingPOST": {"scheduled_date": "0"},
    "testSendCampaignActivityUsingPOST": {"email_addresses": ["mine@example.com"], "personal_message": "Mine"},
    "setPlan": {"plan_type": "GOLD"},
    "cancelAccount": {},
    "partnerAccountOperationsPostSync": {"account_operation_url": "/contacts", "account_operation_method": "GET"},
    "createSSOUser": {
        "first_name": "Mine",
        "last_name": "Mine",
        "role_name": "campaign_creator",
        "contact_email": "mine@example.com",
        "login_name": "mine.user",
        "external_id": "mine-1",
        "external_provider": "Yahoo",
    },
    "partnerUnsubscribeContacts": {"email_addresses": ["theirs@example.com"], "update_source": "Account"},
    "putWebhooksTopic": {"hook_uri": "https://example.com/mine"},
}
# Another partner's client account is a 400 on these, as the spec says for plans and cancellation
# (docs/decisions/partners.md#another-partners-account); it still changes nothing.
OTHER_PARTNER_400 = {"getPlan", "setPlan", "cancelAccount"}
# Topic ids name one of four topics, not a row: PUT subscribes the caller to it, whoever else has.
UPSERTS = {"putWebhooksTopic"}
# Activity stats answer an id they cannot report on under ``errors`` and still 200 (the spec), so
# another account's id or no one's is an entry there, not a 404 (tests/v3/reporting/test_email_reporting.py).
PER_ID_ERRORS = {"getEmailCampaignActivitySummary"}
# A malformed id of a stats list is a 404 for the whole call, as both operations state, though 400 is declared.
MALFORMED_404 = {"getEmailSummary", "getEmailCampaignActivitySummary"}
# The query an operation needs to answer at all (its required parameters, or one of an either/or pair).
WINDOW = {"start": "2020-01-01T00:00:00Z", "end": "2024-01-01T00:00:00Z"}
QUERIES: dict[str, dict[str, str]] = {
    "getContactTracking": {"tracking_activities_list": "em_sends,p_contact_open"},
    "getContactOpenClickRate": WINDOW,
    "getContactTrackingCount": WINDOW,
}
UNKNOWN = {"integer": "2147483647", "string": "00000000-0000-4000-8000-000000000000"}
# Track ids are short keys, not UUIDs: an unknown one is a well-formed key that names no track.
UNKNOWN_NAMED = {"track_id": "zzzzzz", "encoded_account_id": "a000000000000", "topic_id": "4"}
MALFORMED = {"integer": ["not-an-id", "0", "-1", "2147483648", "9" * 23], "string": ["not-an-id", "1234"]}
# Everything an operation here could write, in both accounts.
STORED = [
    *(Contact, ContactList, Tag, Tagging, CustomField, CustomFieldValue, Segment, Activity),
    *(EmailCampaign, CampaignActivity, ABTest, NonOpenerResend, SendLog),
    *(Event, Track, Registration, Ticket),
    *(ClientAccount, WebhookSubscription, WebhookDelivery),
]


def _unknown(param: dict[str, Any]) -> str:
    """A well-formed id of no resource for the path parameter ``param``."""
    return UNKNOWN_NAMED.get(param["name"], UNKNOWN[param.get("type", "string")])


def _operations() -> list[Operation]:
    return [op for op in implemented() if any(p.get("in") == "path" for p in op.parameters)]


def _callers(operation: Operation, api: V3Api, other_api: V3Api) -> tuple[V3Api, V3Api]:
    """The two accounts' clients, or for a partner operation two partners' clients (token and ``x-api-key``)."""
    return (make_partner(), make_partner()) if operation.is_partner else (api, other_api)


def _error(body: Any) -> dict[str, Any]:
    """The error: the envelope's first entry, or the one object the reporting operations answer
    (SPEC-NOTES, error bodies)."""
    return dict(body[0] if isinstance(body, list) else body)


def _path_params(operation: Operation) -> list[dict[str, Any]]:
    return [p for p in operation.parameters if p.get("in") == "path"]


def _call(api: V3Api, operation: Operation, ids: dict[str, str]) -> Any:
    path = operation.path
    for name, value in ids.items():
        path = path.replace(f"{{{name}}}", value)
    takes_body = any(p.get("in") == "body" for p in operation.parameters)
    if takes_body and operation.operation_id not in BODIES:
        pytest.fail(f"{operation.operation_id} takes a body: add one to BODIES")
    body = BODIES.get(operation.operation_id) if takes_body else None
    return api.request(operation.method, path, data=body, params=QUERIES.get(operation.operation_id))


def _assert_reached(api: V3Api, operation: Operation, ids: dict[str, str]) -> None:
    """A 200 the spec allows; export files stream, so their body is read and checked here."""
    path = operation.path.format(**ids)
    response = api.request("GET", path, params=QUERIES.get(operation.operation_id), validate=False)
    assert response.status_code == 200, response
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response["Content-Type"]
    body = json.loads(raw) if "json" in content_type else raw.decode()
    validate_response("GET", "/v3" + path, 200, body, content_type)


def _stored() -> list[list[str]]:
    return [sorted(map(str, model.objects.values())) for model in STORED]


def test_every_path_id_has_a_seed() -> None:
    names = {p["name"] for op in _operations() for p in _path_params(op)}
    assert names <= set(SEEDS), f"add a seed for {sorted(names - set(SEEDS))}"


def _naming_rows() -> list[Operation]:
    """The operations whose path id names a stored row: an upsert's names a topic anyone may subscribe to."""
    return [op for op in _operations() if op.operation_id not in UPSERTS]


def _assert_answered_under_errors(response: Any) -> None:
    """A stats call's id it cannot report on: a 200 naming it under ``errors``, with no results (PER_ID_ERRORS)."""
    body = response.json()
    assert response.status_code == 200, response.content
    assert body.get("errors") and not body.get("results"), body


@pytest.mark.parametrize("operation", _naming_rows(), ids=lambda op: op.operation_id)
def test_another_accounts_id_is_a_404_that_changes_nothing(api: V3Api, other_api: V3Api, operation: Operation) -> None:
    api, other_api = _callers(operation, api, other_api)
    theirs = {p["name"]: SEEDS[p["name"]](other_api) for p in _path_params(operation)}
    before = _stored()
    response = _call(api, operation, theirs)
    if operation.operation_id in PER_ID_ERRORS:
        _assert_answered_under_errors(response)
        assert _stored() == before
        return
    other_partner_400 = operation.operation_id in OTHER_PARTNER_400
    assert response.status_code == (400 if other_partner_400 else 404), response.content
    expected_key = "api.validation.error" if other_partner_400 else "api.resource.not_found"
    assert _error(response.json())["error_key"] == expected_key
    assert _stored() == before
    # The owner still reaches it, so the 404 was about the account and not the id.
    if operation.method == "GET":
        _assert_reached(other_api, operation, theirs)


@pytest.mark.parametrize("operation", _naming_rows(), ids=lambda op: op.operation_id)
def test_an_id_of_no_resource_is_a_404(api: V3Api, operation: Operation) -> None:
    api, _ = _callers(operation, api, api)
    unknown = {p["name"]: _unknown(p) for p in _path_params(operation)}
    response = _call(api, operation, unknown)
    if operation.operation_id in PER_ID_ERRORS:
        _assert_answered_under_errors(response)
        return
    assert response.status_code == 404, response.content


@pytest.mark.parametrize("operation", _operations(), ids=lambda op: op.operation_id)
def test_a_malformed_id_is_the_declared_400_or_else_404(api: V3Api, operation: Operation) -> None:
    # Checked before the body is read: any body will do, and none is needed.
    declared_400 = "400" in operation.responses and operation.operation_id not in MALFORMED_404
    api, _ = _callers(operation, api, api)
    for param in _path_params(operation):
        for raw in MALFORMED[param.get("type", "string")]:
            path = operation.path.replace(f"{{{param['name']}}}", raw)
            # Any other id in the path is well formed, so the answer is about this one.
            for other in _path_params(operation):
                path = path.replace(f"{{{other['name']}}}", _unknown(other))
            body = {} if operation.method in {"PUT", "PATCH", "POST"} else None
            response = api.request(operation.method, path, data=body)
            assert response.status_code == (400 if declared_400 else 404), (raw, response.content)
            error = _error(response.json())
            assert error["error_key"] == ("api.validation.error" if declared_400 else "api.resource.not_found")
            assert error["error_message"].startswith(f"{param['name']}: '{raw}' is not ")


# Collections and the key holding their items: another account's rows never appear in them.
LISTINGS = [
    ("/contacts", "contacts"),
    ("/contact_lists", "lists"),
    ("/contact_tags", "tags"),
    ("/contact_custom_fields", "custom_fields"),
    ("/segments", "segments"),
    ("/activities", "activities"),
    ("/emails", "campaigns"),
]


@pytest.mark.parametrize(("path", "key"), LISTINGS, ids=[p for p, _ in LISTINGS])
def test_listings_hold_only_the_accounts_own_rows(api: V3Api, other_api: V3Api, path: str, key: str) -> None:
    for seed in ("contact_id", "list_id", "tag_id", "custom_field_id", "segment_id", "activity_id", "campaign_id"):
        SEEDS[seed](other_api)
    assert api.get(path).json().get(key, []) == []
    assert other_api.get(path).json()[key] != []
