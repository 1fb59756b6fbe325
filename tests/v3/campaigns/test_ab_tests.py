"""Email Campaigns AB Tests: create, read and delete a primary email's subject-line A/B test.

Every response is validated against the spec by the ``api`` client.
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.v3.campaigns.models import ABTest, ActivityStatus, CampaignActivity, EmailCampaign
from tests.v3.campaigns.drafts import create_campaign
from tests.v3.conftest import V3Api
from tests.v3.support import error

pytestmark = pytest.mark.django_db

BODY = {"alternative_subject": "Open me instead", "test_size": 20, "winner_wait_duration": 24}


def _path(activity_id: str) -> str:
    return f"/emails/activities/{activity_id}/abtest"


def _type_code(campaign_id: str) -> int:
    return EmailCampaign.objects.get(campaign_id=campaign_id).type_code


def _set_status(activity_id: str, status: str) -> None:
    CampaignActivity.objects.filter(campaign_activity_id=activity_id).update(current_status=status)


def test_an_ab_test_switches_the_campaign_to_type_57_and_back(api: V3Api) -> None:
    created = create_campaign(api)
    path = _path(created["primary"])
    assert api.get(path).status_code == 404
    response = api.post(path, BODY)
    assert response.status_code == 201, response.content
    assert response.json() == BODY
    assert api.get(path).json() == BODY
    assert _type_code(created["campaign_id"]) == 57
    assert api.get(f"/emails/{created['campaign_id']}").json()["type_code"] == 57
    error(api.post(path, BODY), 409, "already")
    assert ABTest.objects.count() == 1
    assert api.delete(path).status_code == 204
    assert _type_code(created["campaign_id"]) == 10
    assert not ABTest.objects.exists()
    # The subject stays the original one.
    assert CampaignActivity.objects.get(campaign_activity_id=created["primary"]).subject == "Hello"
    assert api.delete(path).status_code == 404
    assert api.get(path).status_code == 404


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"test_size": 4}, ("test_size", "5", "50")),
        ({"test_size": 51}, ("test_size",)),
        ({"winner_wait_duration": 7}, ("winner_wait_duration", "6, 12, 24, 48")),
        ({"winner_wait_duration": 0}, ("winner_wait_duration",)),
        ({"alternative_subject": "  "}, ("alternative_subject",)),
        ({"alternative_subject": None}, ("alternative_subject",)),
        ({"test_size": "20"}, ("test_size",)),
    ],
)
def test_bad_input_is_a_400_that_creates_nothing(api: V3Api, changes: dict[str, Any], words: tuple[str, ...]) -> None:
    created = create_campaign(api)
    body = {key: value for key, value in {**BODY, **changes}.items() if value is not None}
    error(api.post(_path(created["primary"]), body), 400, *words)
    assert not ABTest.objects.exists()
    assert _type_code(created["campaign_id"]) == 10


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize("hours", [6, 12, 24, 48])
def test_the_stated_bounds_are_accepted(api: V3Api, size: int, hours: int) -> None:
    created = create_campaign(api)
    response = api.post(_path(created["primary"]), {**BODY, "test_size": size, "winner_wait_duration": hours})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("status", [ActivityStatus.SCHEDULED, ActivityStatus.EXECUTING, ActivityStatus.DONE])
def test_only_a_draft_takes_or_drops_an_ab_test(api: V3Api, status: str) -> None:
    created = create_campaign(api)
    path = _path(created["primary"])
    other = create_campaign(api, "Other")
    _set_status(other["primary"], status)
    error(api.post(_path(other["primary"]), BODY), 409, status)
    assert api.post(path, BODY).status_code == 201
    _set_status(created["primary"], status)
    error(api.delete(path), 409, status)
    assert ABTest.objects.count() == 1 and _type_code(created["campaign_id"]) == 57
    assert api.get(path).status_code == 200


def test_only_a_primary_email_has_ab_tests(api: V3Api) -> None:
    # docs/decisions/campaigns.md#a-b-tests-and-resends-name-the-primary-email
    created = create_campaign(api)
    for method in ("get", "delete"):
        assert getattr(api, method)(_path(created["permalink"])).status_code == 404
    assert api.post(_path(created["permalink"]), BODY).status_code == 404
    error(api.get(_path("not-a-uuid")), 400, "campaign_activity_id")


def test_a_removed_campaigns_activity_has_no_ab_test_to_reach(api: V3Api) -> None:
    created = create_campaign(api)
    api.post(_path(created["primary"]), BODY)
    api.delete(f"/emails/{created['campaign_id']}")
    assert api.get(_path(created["primary"])).status_code == 404
    assert api.delete(_path(created["primary"])).status_code == 404
