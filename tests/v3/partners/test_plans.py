"""Plans and tiers, cancellation, and the beat sweeps: each billing change reaches the partner's hook."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.v3.account.models import Account, AccountMembership
from apps.v3.contacts.models import Contact
from apps.v3.oauth.tokens import issue_token
from apps.v3.partners.engine import billing, deliveries
from apps.v3.partners.models import ClientAccount, WebhookSubscription
from tests.v3.factories import ApplicationFactory
from tests.v3.partners.support import make_partner, provisioned, receiving
from tests.v3.support import error

pytestmark = pytest.mark.django_db


def _deliver_now() -> None:
    """What the first-attempt task does: every due delivery, at the real now."""
    deliveries.deliver_due(timezone.now())


def test_a_new_account_is_on_trial_with_a_contacts_tier_from_its_real_count() -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    plan = partner.get(f"/partner/accounts/{account_id}/plan").json()
    assert plan["plan_type"] == "TRIAL" and plan["billing_status"] == "Trial" and "billing_day_of_month" not in plan
    [tier] = plan["current_tiers"]
    assert (tier["usage_type"], tier["current_usage"], tier["tier"], tier["tier_min"], tier["tier_max"]) == (
        "CONTACTS",
        1.0,
        1,
        0.0,
        500.0,
    )


def test_leaving_trial_opens_billing_notifies_an_upgrade_and_trial_never_returns() -> None:
    partner = make_partner()
    account_id = provisioned(partner, billing_locale="en_GB")
    with receiving() as receiver:
        partner.put("/partner/webhooks/subscriptions/1", {"hook_uri": receiver.url})
        partner.put("/partner/webhooks/subscriptions/2", {"hook_uri": receiver.url})
        plan = partner.put(f"/partner/accounts/{account_id}/plan", {"plan_type": "GOLD", "billing_day_of_month": 15})
        assert plan.status_code == 200
        assert (plan.json()["plan_type"], plan.json()["billing_status"]) == ("GOLD", "Open")
        assert plan.json()["billing_day_of_month"] == 15
        assert plan.json()["current_tiers"][0]["currency_code"] == "GBP"
        # The billing day changes only when leaving TRIAL; later values are ignored.
        later = partner.put(f"/partner/accounts/{account_id}/plan", {"plan_type": "BRONZE", "billing_day_of_month": 3})
        assert later.json()["billing_day_of_month"] == 15
        _deliver_now()
        error(partner.put(f"/partner/accounts/{account_id}/plan", {"plan_type": "TRIAL"}), 400, "TRIAL")
    assert [p["event_type"] for p in receiver.payloads()] == ["tier.increase", "tier.decrease"]
    assert receiver.payloads()[0]["url"].endswith(f"/v3/partner/accounts/{account_id}/plan")


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"plan_type": "PLATINUM"}, "plan_type"),
        ({"plan_type": "EMAIL"}, "plan_type"),  # a plan of another group
        ({"plan_type": "GOLD", "plan_group_id": 152}, "plan_group_id"),  # a group that is not the account's
        ({"plan_type": "GOLD", "billing_day_of_month": 32}, "billing_day_of_month"),
    ],
)
def test_plans_outside_the_group_and_bad_days_are_400s_that_change_nothing(body: dict[str, Any], word: str) -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    error(partner.put(f"/partner/accounts/{account_id}/plan", body), 400, word)
    assert Account.objects.get(encoded_account_id=account_id).plan_type == "TRIAL"


def test_an_unknown_group_id_falls_back_to_the_default_group() -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    response = partner.put(f"/partner/accounts/{account_id}/plan", {"plan_type": "SILVER", "plan_group_id": 9999})
    assert response.json()["plan_type"] == "SILVER"


def test_unknown_accounts_are_404_and_another_partners_are_400() -> None:
    mine, theirs = make_partner(), make_partner()
    account_id = provisioned(theirs)
    error(mine.get("/partner/accounts/a000000000000/plan"), 404)
    error(mine.get(f"/partner/accounts/{account_id}/plan"), 400, "not a client account of this partner")
    error(mine.put(f"/partner/accounts/{account_id}/plan", {"plan_type": "GOLD"}), 400)
    error(mine.put(f"/partner/accounts/{account_id}/status/cancel", {}), 400)
    assert Account.objects.get(encoded_account_id=account_id).plan_type == "TRIAL"
    assert Account.objects.get(encoded_account_id=account_id).billing_status == "Trial"


def _owner_token(account_id: str) -> str:
    membership = AccountMembership.objects.select_related("account", "user").get(account__encoded_account_id=account_id)
    return issue_token(membership.account, membership.user, ["contact_data"], ApplicationFactory())


def test_cancelling_now_notifies_refuses_the_accounts_tokens_and_keeps_its_data() -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    token = _owner_token(account_id)
    owner = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert owner.get("/v3/contacts").status_code == 200
    with receiving() as receiver:
        partner.put("/partner/webhooks/subscriptions/3", {"hook_uri": receiver.url})
        response = partner.put(f"/partner/accounts/{account_id}/status/cancel", {"reason_id": 2})
        assert response.status_code == 200 and response.json()["reason_id"] == 2
        _deliver_now()
        again = partner.put(f"/partner/accounts/{account_id}/status/cancel", {})
        assert again.json() == response.json()
        _deliver_now()
    assert [p["event_type"] for p in receiver.payloads()] == ["account.cancelled"]
    assert Account.objects.get(encoded_account_id=account_id).billing_status == "Canceled"
    refused = owner.get("/v3/contacts")
    assert refused.status_code == 401 and refused.json()["error_key"] == "unauthorized"
    assert Contact.objects.filter(account__encoded_account_id=account_id).count() == 1
    listed = partner.get("/partner/accounts").json()["site_owner_list"]
    assert listed[0]["billing_status"] == "Canceled"


def test_a_later_cancellation_waits_for_its_date() -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    when = timezone.now() + timedelta(days=3)
    body = {"effective_date": when.isoformat(), "reason_id": 1}
    response = partner.put(f"/partner/accounts/{account_id}/status/cancel", body)
    assert response.status_code == 200
    assert billing.cancel_due(timezone.now()) == []
    assert Account.objects.get(encoded_account_id=account_id).billing_status == "Trial"
    assert billing.cancel_due(when + timedelta(seconds=1)) == [account_id]
    assert Account.objects.get(encoded_account_id=account_id).billing_status == "Canceled"


@pytest.mark.parametrize(
    "body",
    [
        {"reason_id": 4},
        {"effective_date": "tomorrow"},
        {"effective_date": "2030-13-45T00:00:00Z"},
        {"reason_id": "one"},
    ],
    ids=json.dumps,
)
def test_bad_cancellations_are_400s(body: dict[str, Any]) -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    assert partner.put(f"/partner/accounts/{account_id}/status/cancel", body).status_code == 400
    assert Account.objects.get(encoded_account_id=account_id).billing_status == "Trial"


def test_lapsed_trials_end_and_tier_crossings_notify_the_partner() -> None:
    partner = make_partner()
    lapsing, paying = provisioned(partner), provisioned(partner)
    ClientAccount.objects.filter(account__encoded_account_id=lapsing).update(trial_end=timezone.now())
    partner.put(f"/partner/accounts/{paying}/plan", {"plan_type": "GOLD"})
    account = Account.objects.get(encoded_account_id=paying)
    Contact.objects.bulk_create(Contact(account=account, email_address=f"c{n}@example.com") for n in range(500))
    with receiving() as receiver:
        for topic in (1, 4):
            WebhookSubscription.objects.create(partner=partner.partner, topic_id=topic, hook_uri=receiver.url)
        now = timezone.now() + timedelta(seconds=1)
        assert billing.end_lapsed_trials(now) == [lapsing]
        assert billing.end_lapsed_trials(now) == []
        assert billing.check_tiers(now) == {paying: 2}
        assert billing.check_tiers(now) == {}
        deliveries.deliver_due(now)
    assert sorted(p["event_type"] for p in receiver.payloads()) == ["account.disabled", "tier.increase"]
    assert Account.objects.get(encoded_account_id=lapsing).billing_status == "Trial End"
    assert partner.get(f"/partner/accounts/{paying}/plan").json()["current_tiers"][0]["tier"] == 2
