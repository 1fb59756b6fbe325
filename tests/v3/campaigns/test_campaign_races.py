"""Requests at the same moment over real HTTP on PostgreSQL: one name, resend and A/B test each; distinct V2 ids."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.db import connection

from apps.v3.campaigns.models import ABTest, EmailCampaign, NonOpenerResend
from apps.v3.contract import validate_response
from tests.v3.campaigns.drafts import campaign_body, confirmed_sender, create_campaign
from tests.v3.conftest import V3Api

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the races are run on PostgreSQL")

RACERS = 8


def _race(api: V3Api, live_server: Any, path: str, bodies: Callable[[int], dict[str, Any]]) -> list[int]:
    """POST ``bodies(n)`` to ``path`` from :data:`RACERS` threads released together; the statuses, sorted."""
    ready = threading.Barrier(RACERS, timeout=60)
    headers = {"Authorization": f"Bearer {api.token}"}

    def racer(n: int) -> requests.Response:
        with requests.Session() as session:
            ready.wait()
            return session.post(live_server.url + "/v3" + path, json=bodies(n), headers=headers, timeout=60)

    with ThreadPoolExecutor(RACERS) as pool:
        responses = list(pool.map(racer, range(RACERS)))
    for response in responses:
        validate_response("POST", "/v3" + path, response.status_code, response.json(), response.headers["Content-Type"])
    return sorted(r.status_code for r in responses)


@pytest.mark.django_db(transaction=True)
def test_one_name_at_once_is_one_campaign_and_each_gets_its_own_v2_id(api: V3Api, live_server: Any) -> None:
    confirmed_sender(api.account)
    assert _race(api, live_server, "/emails", lambda n: campaign_body("Same")) == [200] + [409] * (RACERS - 1)
    assert _race(api, live_server, "/emails", lambda n: campaign_body(f"Own {n}")) == [200] * RACERS
    v2_ids = list(EmailCampaign.objects.values_list("v2_id", flat=True))
    assert len(v2_ids) == RACERS + 1 and len(set(v2_ids)) == len(v2_ids) and None not in v2_ids


@pytest.mark.django_db(transaction=True)
def test_one_resend_and_one_ab_test_per_campaign_at_once(api: V3Api, live_server: Any) -> None:
    created = create_campaign(api)
    activity = f"/emails/activities/{created['primary']}"
    resend = {"resend_subject": "Again", "delay_days": 1}
    assert _race(api, live_server, f"{activity}/non_opener_resends", lambda n: resend) == [201] + [409] * (RACERS - 1)
    abtest = {"alternative_subject": "B", "test_size": 10, "winner_wait_duration": 6}
    assert _race(api, live_server, f"{activity}/abtest", lambda n: abtest) == [201] + [409] * (RACERS - 1)
    assert NonOpenerResend.objects.count() == 1 and ABTest.objects.count() == 1
