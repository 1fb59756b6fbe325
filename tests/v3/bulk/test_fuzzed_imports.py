"""Whatever the input, an import is a 201 or a 400, and an accepted one completes (Hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.v3.bulk import handlers as activities
from apps.v3.bulk.models import Activity, ActivityState
from apps.v3.contacts.models import ContactList, CustomField
from tests.v3.bulk.support import csv_text, post_file
from tests.v3.conftest import V3Api

_COLUMNS = st.sampled_from(
    ["email", "EMAIL", "sms_number", "first_name", "birthday_month", "birthday_day", "anniversary", "phone"]
    + ["home_phone", "street", "street2", "work_zip", "home country", "cf:score", "cf:size", "sms_consent_date"]
)
_AWKWARD = ["a@b.co", "A@B.CO", "508-123-1234", "12", "2024-01-02", "Small", "Small, Large", "=1+1", "\x00x", "\\\t\n"]
_CELLS = st.one_of(st.text(max_size=30), st.sampled_from(_AWKWARD))
_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), _CELLS, st.lists(st.integers(), max_size=2)
)
_FUZZ = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _fuzz_account(api: V3Api) -> ContactList:
    """The list and the two custom fields (a number, a multi-select) every fuzzed import may name."""
    CustomField.objects.get_or_create(account=api.account, name="score", defaults={"label": "score", "type": "number"})
    size, made = CustomField.objects.get_or_create(
        account=api.account, name="size", defaults={"label": "size", "type": "multi_select"}
    )
    if made:
        size.choices.create(choice_id=1, choice_label="Small")
        size.choices.create(choice_id=2, choice_label="Large")
    return ContactList.objects.get_or_create(account=api.account, name="Fuzzed")[0]


def _completes(response: Any) -> None:
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        activity = Activity.objects.get(activity_id=response.json()["activity_id"])
        activities.process(activity.pk)
        activity.refresh_from_db()
        assert activity.state == ActivityState.COMPLETED, activity.activity_errors


@_FUZZ
@given(
    header=st.lists(_COLUMNS, min_size=1, max_size=6),
    rows=st.lists(st.lists(_CELLS, max_size=7), max_size=6),
    tail=st.binary(max_size=120),
    sms=st.sampled_from([None, "explicit", "not_set"]),
)
def test_any_csv_is_a_201_or_a_400_and_its_import_completes(
    api: V3Api, header: list[str], rows: list[list[str]], tail: bytes, sms: str | None
) -> None:
    content = csv_text(header, *rows).encode() + tail
    fields = {"sms_permission_to_send": sms} if sms else {}
    _completes(post_file(api, content, str(_fuzz_account(api).list_id), **fields))


@_FUZZ
@given(
    contacts=st.lists(st.dictionaries(_COLUMNS, _VALUES, max_size=6), min_size=1, max_size=6),
    sms=st.sampled_from([None, "explicit", "not_set"]),
)
def test_any_json_contacts_are_a_201_or_a_400_and_their_import_completes(
    api: V3Api, contacts: list[dict[str, Any]], sms: str | None
) -> None:
    body = {"import_data": contacts, "list_ids": [str(_fuzz_account(api).list_id)]}
    _completes(
        api.post("/activities/contacts_json_import", {**body, **({"sms_permission_to_send": sms} if sms else {})})
    )
