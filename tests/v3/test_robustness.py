"""What a fuzzer sends in seconds: every answer a clear 4xx in the envelope, never a 500, nothing lost.

Each group here was a 500 (or, for the JSON import, lost good rows) before its fix.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import URLPattern

from apps.v3 import urls as v3_urls
from apps.v3.account.models import Account
from apps.v3.bulk import handlers as activities
from apps.v3.bulk.models import Activity, ActivityState
from apps.v3.contacts.models import Contact, ContactList, CustomField, CustomFieldValue, Segment, Tag
from apps.v3.contract import validate_django_response, validate_error_envelope
from apps.v3.http.base import V3View
from apps.v3.http.bodies import MAX_DEPTH
from tests.v3.conftest import V3Api

SURROGATE = '"\\ud800"'  # valid JSON, a lone UTF-16 surrogate once decoded: not text any database stores
MARK = "<surrogate>"


def with_surrogate(data: Any) -> str:
    """``data`` as JSON text with every string (or key) :data:`MARK` made a lone surrogate."""
    return json.dumps(data).replace(json.dumps(MARK), SURROGATE)


UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def _routes() -> list[tuple[str, type[V3View]]]:
    """Every V3 route with a concrete path (placeholders filled with an id of their kind) and its view."""
    found = []
    for pattern in v3_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        view = getattr(pattern.callback, "view_class", None)
        if view is None or not issubclass(view, V3View):
            continue
        route = str(pattern.pattern)
        filler = "1" if "segment_id" in route else UNKNOWN_ID  # fixed, so parallel workers collect the same ids
        path = "/" + route.replace("<str:", "<").split("<")[0] + (filler if "<" in route else "")
        path += route.split(">", 1)[1] if ">" in route else ""
        found.append((path, view))
    return found


ROUTES = _routes()
UNDECLARED = ["TRACE", "PUT", "PATCH", "DELETE", "POST", "FOO"]


def test_the_routes_were_found() -> None:
    assert len(ROUTES) >= 30
    assert ("/contacts", v3_urls.urlpatterns[5].callback.view_class) in ROUTES  # type: ignore[attr-defined]


@pytest.mark.parametrize(("path", "view"), ROUTES, ids=[p for p, _ in ROUTES])
def test_a_method_without_an_operation_is_a_405_with_allow(api: V3Api, path: str, view: type[V3View]) -> None:
    allowed = {m.upper() for m in view.operation_ids}
    for method in UNDECLARED:
        if method in allowed:
            continue
        response = api.client.generic(method, "/v3" + path)
        assert response.status_code == 405, (method, path, response.content)
        body = response.json()
        validate_error_envelope(405, body, f"{method} {path}", view.operation_ids.values())
        # The reporting routes answer errors in the object form, the others in the array.
        assert (body[0] if isinstance(body, list) else body)["error_key"] == "api.method_not_allowed"
        assert set(response["Allow"].split(", ")) == allowed | {"OPTIONS"} | ({"HEAD"} if "GET" in allowed else set())


@pytest.mark.parametrize(("path", "view"), ROUTES, ids=[p for p, _ in ROUTES])
def test_options_lists_the_methods_without_a_token(client: Client, path: str, view: type[V3View]) -> None:
    response = client.options("/v3" + path)
    assert response.status_code == 200 and response.content == b""
    assert {m.upper() for m in view.operation_ids} <= set(response["Allow"].split(", "))


@pytest.mark.parametrize(
    "path", ["/contacts", "/contact_lists", "/contact_tags", "/account/summary", "/activities", "/contacts/counts"]
)
def test_head_answers_as_get_does_without_a_body(api: V3Api, path: str) -> None:
    got = api.get(path)
    head = api.client.head("/v3" + path)
    assert head.status_code == got.status_code == 200
    assert head.content == b"" and head["Content-Type"] == got["Content-Type"]


def test_head_is_gated_like_get(client: Client) -> None:
    response = client.head("/v3/contacts")
    assert response.status_code == 401


# --- bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000, "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)],
    ids=["arrays-1000", "objects-1000", "just-past-the-limit"],
)
def test_a_deeply_nested_body_is_a_400(api: V3Api, raw: str) -> None:
    before = ContactList.objects.count()
    response = api.post("/contact_lists", raw=raw)
    assert response.status_code == 400
    assert response.json()[0]["error_key"] == "api.malformed_json"
    assert f"deeper than {MAX_DEPTH} levels" in response.json()[0]["error_message"]
    assert ContactList.objects.count() == before


def test_a_deeply_nested_json_import_is_a_400(api: V3Api) -> None:
    response = api.post("/activities/contacts_json_import", raw='{"import_data":' + "[" * 1000 + "]" * 1000 + "}")
    assert response.status_code == 400
    assert "deeper than" in response.json()[0]["error_message"]
    assert not Activity.objects.filter(account=api.account).exists()


def test_a_body_nested_as_deep_as_the_spec_needs_is_accepted(api: V3Api) -> None:
    body = {
        "email_address": {"address": "deep@example.com"},
        "create_source": "Account",
        "street_addresses": [{"kind": "home", "street": "1 Main St"}],
    }
    assert api.post("/contacts", body).status_code == 201


def _contact(api: V3Api) -> Contact:
    response = api.post("/contacts", {"email_address": {"address": "c@example.com"}, "create_source": "Account"})
    return Contact.objects.get(contact_id=response.json()["contact_id"])


def _custom_field(api: V3Api) -> CustomField:
    response = api.post("/contact_custom_fields", {"label": "Score", "type": "string"})
    return CustomField.objects.get(custom_field_id=response.json()["custom_field_id"])


# (method, path with {contact}/{field}/{list}/{tag}/{segment} filled in, body with SURROGATE where text is stored)
STORED_STRINGS = [
    ("POST", "/contact_lists", '{"name": %s}'),
    ("PUT", "/contact_lists/{list}", '{"name": "ok", "description": %s}'),
    ("POST", "/contact_tags", '{"name": %s}'),
    ("PUT", "/contact_tags/{tag}", '{"name": %s}'),
    ("POST", "/contact_custom_fields", '{"label": %s, "type": "string"}'),
    ("PUT", "/contact_custom_fields/{field}", '{"label": %s}'),
    ("POST", "/segments", '{"name": %s, "segment_criteria": "{\\"version\\": \\"1.0.0\\"}"}'),
    ("PATCH", "/segments/{segment}/name", '{"name": %s}'),
    (
        "POST",
        "/contacts",
        '{"email_address": {"address": "s@example.com"}, "create_source": "Account", "first_name": %s}',
    ),
    (
        "PUT",
        "/contacts/{contact}",
        '{"email_address": {"address": "c@example.com"}, "update_source": "Account", "last_name": %s}',
    ),
    (
        "PUT",
        "/contacts/{contact}",
        '{"email_address": {"address": "c@example.com"}, "update_source": "Account",'
        ' "custom_fields": [{"custom_field_id": "{field}", "value": %s}]}',
    ),
    (
        "POST",
        "/contacts/sign_up_form",
        '{"email_address": "f@example.com", "list_memberships": ["{list}"], "first_name": %s}',
    ),
    ("PUT", "/account/summary", '{"organization_name": %s}'),
    ("POST", "/contacts", '{"email_address": {"address": "k@example.com"}, "create_source": "Account", %s: "x"}'),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), STORED_STRINGS, ids=[f"{m} {p} {i}" for i, (m, p, _) in enumerate(STORED_STRINGS)]
)
def test_a_lone_surrogate_in_a_stored_string_is_a_400(api: V3Api, method: str, path: str, body: str) -> None:
    contact, field = _contact(api), _custom_field(api)
    a_list = ContactList.objects.create(account=api.account, name="Kept")
    tag = Tag.objects.create(account=api.account, name="Kept")
    segment = api.post("/segments", {"name": "Kept", "segment_criteria": _criteria("Ana")})
    names = {
        "{contact}": str(contact.contact_id),
        "{field}": str(field.custom_field_id),
        "{list}": str(a_list.list_id),
        "{tag}": str(tag.tag_id),
        "{segment}": str(segment.json()["segment_id"]),
    }
    for key, value in names.items():
        path, body = path.replace(key, value), body.replace(key, value)
    before = _stored()
    response = api.request(method, path, raw=body % SURROGATE)
    assert response.status_code == 400, response.content
    assert "surrogate (U+D800)" in response.json()[0]["error_message"]
    assert _stored() == before  # refused before anything was written


def _stored() -> list[list[str]]:
    """Every row the operations above may write, as text: what a refused request must leave as it was."""
    models = [Account, Contact, ContactList, Tag, CustomField, CustomFieldValue, Segment]
    return [sorted(map(str, model.objects.values())) for model in models]


def test_a_nul_is_still_refused_by_the_same_check(api: V3Api) -> None:
    response = api.post("/contact_tags", raw='{"name": "a\\u0000b"}')
    assert response.status_code == 400
    assert response.json()[0]["error_message"] == "name: contains a NUL character"


def _criteria(value: str) -> str:
    """A criteria document matching contacts whose first name is ``value`` (JSON text, so it may be a surrogate)."""
    condition = {"source": "contact", "field": "first_name", "op": "eq", "const_value": value}
    return with_surrogate({"version": "1.0.0", "criteria": {"type": "and", "group": [condition]}})


def test_a_lone_surrogate_in_segment_criteria_is_a_400(api: V3Api) -> None:
    response = api.post("/segments", {"name": "S", "segment_criteria": _criteria(MARK)})
    assert response.status_code == 400
    assert "surrogate" in response.json()[0]["error_message"]
    assert not Segment.objects.filter(account=api.account).exists()


def test_a_lone_surrogate_in_an_import_column_name_is_a_400(api: V3Api) -> None:
    a_list = ContactList.objects.create(account=api.account, name="L")
    raw = with_surrogate({"import_data": [{"email": "a@example.com", MARK: "x"}], "list_ids": [str(a_list.list_id)]})
    response = api.post("/activities/contacts_json_import", raw=raw)
    assert response.status_code == 400
    assert response.json()[0]["error_message"].startswith("import_data (a property name): contains a lone UTF-16")


# --- the JSON import keeps every good row ------------------------------------------------------


def test_a_json_import_with_one_bad_row_imports_the_other_three(api: V3Api) -> None:
    a_list = ContactList.objects.create(account=api.account, name="Imported")
    rows = [
        {"email": "one@example.com", "first_name": "One"},
        {"email": "two@example.com", "first_name": MARK},
        {"email": "three@example.com", "last_name": "Three"},
        {"email": "four@example.com"},
    ]
    raw = with_surrogate({"import_data": rows, "list_ids": [str(a_list.list_id)]})
    response = api.post("/activities/contacts_json_import", raw=raw)
    assert response.status_code == 201
    activity = Activity.objects.get(activity_id=response.json()["activity_id"])
    activities.process(activity.pk)
    body = api.get(f"/activities/{activity.activity_id}").json()
    assert body["state"] == "completed", body
    assert body["status"]["error_count"] == 1
    assert len(body["activity_errors"]) == 1
    assert body["activity_errors"][0].startswith("import_data[1]: first_name contains a lone UTF-16 surrogate")
    emails = set(Contact.objects.filter(account=api.account).values_list("email_address", flat=True))
    assert emails == {"one@example.com", "three@example.com", "four@example.com"}
    assert a_list.memberships.count() == 3


def test_a_csv_import_row_is_checked_by_the_same_reader(api: V3Api) -> None:
    # A CSV is decoded as strict UTF-8, which has no encoding for a lone surrogate: the file is refused whole.
    a_list = ContactList.objects.create(account=api.account, name="CSV")
    content = b"email,first_name\na@example.com,A\nb@example.com,\xed\xa0\x80\n"
    upload = {"file": _upload(content), "list_ids": str(a_list.list_id)}
    response = api.client.post("/v3/activities/contacts_file_import", data=upload)
    validate_django_response(response)
    assert response.status_code == 400
    assert "not UTF-8 text" in response.json()[0]["error_message"]


def _upload(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("contacts.csv", content, content_type="text/csv")


def _count_calls(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[int]:
    from apps.v3.bulk import tasks

    calls: list[int] = []

    def failing(pk: int) -> None:
        calls.append(pk)
        raise error

    monkeypatch.setattr(tasks, "process", failing)
    # Retries wait 10 s and more in production; here they go on at once.
    monkeypatch.setattr(tasks, "RETRY_DELAYS", (0, 0, 0))
    return calls


def test_a_fault_of_the_machine_is_retried_then_fails(api: V3Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from apps.v3.bulk import tasks

    activity = Activity.objects.get(activity_id=api.post("/activities/contact_exports", {}).json()["activity_id"])
    calls = _count_calls(monkeypatch, OperationalError("the database server is restarting"))
    tasks.process_activity.apply(args=[activity.pk])
    assert len(calls) == tasks.MAX_RETRIES + 1
    activity.refresh_from_db()
    assert activity.state == ActivityState.FAILED


def test_an_unexpected_error_fails_at_once_without_retries(api: V3Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from apps.v3.bulk import tasks

    activity = Activity.objects.get(activity_id=api.post("/activities/contact_exports", {}).json()["activity_id"])
    calls = _count_calls(monkeypatch, UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))
    tasks.process_activity.apply(args=[activity.pk])
    assert len(calls) == 1
    body = api.get(f"/activities/{activity.activity_id}").json()
    assert body["state"] == "failed"
    assert body["activity_errors"] == [tasks.INTERNAL_ERROR]


# --- query parameters ---------------------------------------------------------------------------

DATE_FILTERS = ["created_after", "created_before", "updated_after", "updated_before", "optout_after", "optout_before"]
IMPOSSIBLE = ["2022-02-30", "2022-13-01", "2022-01-01T25:00:00Z", "2022-01-01T00:00:00+25:00", "2022-04-31T10:00:00Z"]


@pytest.mark.parametrize("name", DATE_FILTERS)
def test_an_impossible_date_in_a_contacts_filter_is_a_400_naming_it(api: V3Api, name: str) -> None:
    for value in IMPOSSIBLE:
        response = api.get("/contacts", params={name: value})
        assert response.status_code == 400, (name, value, response.content)
        assert response.json()[0]["error_message"].startswith(f"{name}: "), response.content


# --- what Django itself answers under /v3/ -------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_body_past_the_memory_limit_is_an_envelope_naming_the_limit(api: V3Api, debug: bool) -> None:
    with override_settings(DEBUG=debug, DATA_UPLOAD_MAX_MEMORY_SIZE=10_000):
        response = api.post("/contact_lists", raw=json.dumps({"name": "x" * 20_000}))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    message = response.json()[0]["error_message"]
    assert "larger than 10,000 bytes" in message and "DATA_UPLOAD_MAX_MEMORY_SIZE" in message
    assert not ContactList.objects.filter(account=api.account).exists()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_an_unknown_v3_path_is_the_envelope_in_every_environment(client: Client, debug: bool) -> None:
    with override_settings(DEBUG=debug):
        response = client.get("/v3/no/such/thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    validate_error_envelope(404, response.json())
    assert response.json()[0]["error_key"] == "api.resource.not_found"


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_server_error_is_the_envelope_in_every_environment(
    api: V3Api, debug: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apps.v3.contacts.endpoints import tags as contact_tags

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(contact_tags.service, "account_tags", broken)
    quiet = Client(HTTP_AUTHORIZATION=f"Bearer {api.token}", raise_request_exception=False)
    with override_settings(DEBUG=debug):
        response = quiet.get("/v3/contact_tags")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == [
        {"error_key": "api.internal_error", "error_message": "There was a problem with our internal service."}
    ]
    assert b"a bug" not in response.content and b"Traceback" not in response.content
