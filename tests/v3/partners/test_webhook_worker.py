"""Billing notifications sent by a real Celery worker: the API change commits, the worker POSTs the hook."""

from __future__ import annotations

import pytest

from apps.v3.partners.models import WebhookAttempt, WebhookDelivery
from tests.v3.partners.support import make_partner, provisioned, receiving
from tests.worker import CeleryWorker, wait_for

pytestmark = pytest.mark.worker


def test_a_plan_change_and_a_cancellation_reach_the_hook_through_the_worker(worker: CeleryWorker) -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    with receiving() as receiver:
        for topic in (1, 3):
            partner.put(f"/partner/webhooks/subscriptions/{topic}", {"hook_uri": receiver.url})
        assert partner.put(f"/partner/accounts/{account_id}/plan", {"plan_type": "SILVER"}).status_code == 200
        assert partner.put(f"/partner/accounts/{account_id}/status/cancel", {"reason_id": 1}).status_code == 200
        try:
            wait_for(lambda: len(receiver.accepted) == 2, 60, "two notifications at the hook")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- worker log ---\n{worker.log_tail()}") from None
    assert sorted(p["event_type"] for p in receiver.payloads()) == ["account.cancelled", "tier.increase"]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert WebhookAttempt.objects.count() == 2
