"""SMS Reporting: the summaries of campaigns sent, clicked and opted out of through the real SMS paths."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from apps.v3.contacts.models import ContactList, SmsPermission
from apps.v3.sms import engine
from apps.v3.sms.backends import memory
from apps.v3.sms.models import SmsCampaign
from tests.v3.conftest import V3Api
from tests.v3.sms.support import campaign_to, contact, sms_outbox

__all__ = ["sms_outbox"]  # the autouse fixture that empties the memory backend

PATH = "/reports/summary_reports/sms_campaign_summaries"
SINCE = {"start_at": "2020-01-01T00:00:00.000Z"}
SHORT = re.compile(r"http://[^/]+(/s/[A-Za-z0-9]{14})")


def _link_of(outbox: list[memory.SmsMessage], number: str) -> str:
    return str(SHORT.findall(next(m.body for m in outbox if m.to == number))[0])


@pytest.fixture
def sent(api: V3Api, client: Client, sms_outbox: list[memory.SmsMessage]) -> dict[str, SmsCampaign]:
    """A: 3 sends, 1 refused, one recipient clicking twice, one STOP; B: 2 sends, both click. C: a draft."""
    first, second = (ContactList.objects.create(account=api.account, name=n) for n in ("First", "Second"))
    for n, contact_list in [(1, first), (2, first), (3, first), (4, second), (5, second)]:
        contact(api.account, f"p{n}", f"+1555020000{n}", SmsPermission.EXPLICIT, contact_list)
    contact(api.account, "p6", "+15550200006", SmsPermission.NOT_SET, first)
    memory.refused.add("+15550200003")
    a = campaign_to(api.account, first, name="A", text="A sale: https://a.example.com/")
    engine.send_campaign(a.pk)
    b = campaign_to(api.account, second, name="B", text="B sale: https://b.example.com/")
    engine.send_campaign(b.pk)
    for path in (_link_of(sms_outbox, "+15550200001"),) * 2 + tuple(
        _link_of(sms_outbox, n) for n in ("+15550200004", "+15550200005")
    ):
        assert client.get(path).status_code == 302
    assert client.post("/s/inbound", {"From": "+15550200002", "Body": "STOP"}).json() == {"opted_out": 1}
    c = campaign_to(api.account, first, name="C, never sent")
    # Known send dates, for the range checks (B is the newer).
    SmsCampaign.objects.filter(pk=a.pk).update(last_sent_date=datetime(2024, 1, 10, 12, 0, tzinfo=UTC))
    SmsCampaign.objects.filter(pk=b.pk).update(last_sent_date=datetime(2024, 2, 1, 0, 0, tzinfo=UTC))
    return {"A": a, "B": b, "C": c}


def _names(response: object) -> list[str]:
    return [s["campaign_name"] for s in response.json()["bulk_sms_campaign_summaries"]]  # type: ignore[attr-defined]


def test_summaries_match_the_counts_by_hand(api: V3Api, sent: dict[str, SmsCampaign]) -> None:
    response = api.get(PATH, params=SINCE)
    assert response.status_code == 200
    body = response.json()
    a, b = sent["A"], sent["B"]
    assert body["bulk_sms_campaign_summaries"] == [
        {
            "campaign_id": str(b.campaign_id),
            "campaign_name": "B",
            "campaign_type": "SMS",
            "last_sent_date": "2024-02-01T00:00:00Z",
            "unique_counts": {"sends": 2, "delivers": 2, "clicks": 2, "optouts": 0},
        },
        {
            "campaign_id": str(a.campaign_id),
            "campaign_name": "A",
            "campaign_type": "SMS",
            "last_sent_date": "2024-01-10T12:00:00Z",
            # p1 clicked twice: one unique click; p3's number was refused; p6 has no permission.
            "unique_counts": {"sends": 3, "delivers": 2, "clicks": 1, "optouts": 1},
        },
    ]
    # docs/decisions/sms.md#aggregate-percents: 4 of 5 delivered, 1 of 5 bounced, 3 and 1 of 4 delivered.
    assert body["aggregate_percents"] == {"deliver": 80.0, "click": 75.0, "bounce": 20.0, "unsubscribe": 25.0}
    assert body["_links"] == {}


def test_pages_are_newest_first_with_their_own_percents(api: V3Api, sent: dict[str, SmsCampaign]) -> None:
    first = api.get(PATH, params={**SINCE, "limit": "1"}).json()
    assert [s["campaign_name"] for s in first["bulk_sms_campaign_summaries"]] == ["B"]
    assert first["aggregate_percents"] == {"deliver": 100.0, "click": 100.0, "bounce": 0.0, "unsubscribe": 0.0}
    href = first["_links"]["next"]["href"]
    assert href.startswith("/v3" + PATH + "?") and "limit=1" in href
    second = api.get(href.removeprefix("/v3")).json()
    assert [s["campaign_name"] for s in second["bulk_sms_campaign_summaries"]] == ["A"]
    assert second["aggregate_percents"] == {"deliver": 66.67, "click": 50.0, "bounce": 33.33, "unsubscribe": 50.0}
    assert second["_links"] == {}


def test_start_and_end_are_inclusive(api: V3Api, sent: dict[str, SmsCampaign]) -> None:
    def names(**range_: str) -> list[str]:
        return _names(api.get(PATH, params=range_))

    assert names(start_at="2024-01-10T12:00:00Z", end_at="2024-02-01T00:00:00Z") == ["B", "A"]
    assert names(start_at="2024-01-10T12:00:00.001Z") == ["B"]
    assert names(start_at="2024-01-01", end_at="2024-01-31T23:59:59Z") == ["A"]
    # A date as end_at includes the whole of that day.
    assert names(start_at="2024-01-10", end_at="2024-01-10") == ["A"]
    assert names(start_at="2024-01-10T13:00:00+01:00", end_at="2024-01-10T13:00:00+01:00") == ["A"]
    assert names(start_at="2024-02-02") == []
    assert names(start_at="0001-01-01", end_at="9999-12-31") == ["B", "A"]


def test_the_report_holds_only_the_accounts_sent_campaigns(
    api: V3Api, other_api: V3Api, sent: dict[str, SmsCampaign]
) -> None:
    assert "C, never sent" not in _names(api.get(PATH, params=SINCE))
    empty = other_api.get(PATH, params=SINCE).json()
    assert empty["bulk_sms_campaign_summaries"] == []
    assert empty["aggregate_percents"] == {"deliver": 0.0, "click": 0.0, "bounce": 0.0, "unsubscribe": 0.0}


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({}, "start_at"),
        ({"start_at": "yesterday"}, "start_at"),
        ({"start_at": "2024-02-30"}, "start_at"),
        ({"start_at": "2024-01-01T25:00:00Z"}, "start_at"),
        ({**SINCE, "end_at": "soon"}, "end_at"),
        ({"start_at": "2024-02-01", "end_at": "2024-01-31T23:59:59Z"}, "end_at"),
        ({**SINCE, "limit": "0"}, "limit"),
        ({**SINCE, "limit": "51"}, "limit"),
        ({**SINCE, "limit": "ten"}, "limit"),
        ({**SINCE, "limit": "-1"}, "limit"),
        ({**SINCE, "cursor": "forged"}, "cursor"),
        ({"start_at": "0001-01-01T00:00:00+01:00"}, "start_at"),
    ],
)
def test_bad_input_is_a_400_in_the_reporting_envelope(
    api: V3Api, sent: dict[str, SmsCampaign], params: dict[str, str], named: str
) -> None:
    response = api.get(PATH, params=params)  # validated: a StatsError object
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, dict) and body["error_message"].startswith(named)


def test_the_report_needs_campaign_data(make_api: object) -> None:
    api = make_api(scopes=["contact_data"])  # type: ignore[operator]
    response = api.get(PATH, params=SINCE)
    assert response.status_code == 403 and isinstance(response.json(), dict)
