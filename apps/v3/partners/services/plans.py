"""Reading and changing a client account's plan (docs/decisions/partners.md#plan-groups-and-tiers)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.v3.partners.engine import billing, deliveries, plans
from apps.v3.partners.models import ClientAccount
from apps.v3.partners.services.checks import refuse


def current_tier(client: ClientAccount) -> plans.Tier:
    """The account's tier now, from its real count of active contacts."""
    return plans.tier_for(client.account.plan_type, plans.active_contacts(client.account), client.billing_locale)


def _group(client: ClientAccount, requested: int | None) -> int:
    """The plan group a change is made in: the account's own, or the default for an unknown id."""
    if requested is None:
        return client.plan_group_id
    if requested not in plans.PLAN_GROUPS:
        return plans.DEFAULT_PLAN_GROUP
    if requested != client.plan_group_id:
        raise refuse("plan_group_id", f"{requested} is not the account's plan group ({client.plan_group_id})")
    return requested


@transaction.atomic
def set_plan(client: ClientAccount, data: dict[str, Any]) -> ClientAccount:
    """Move the account to ``plan_type`` within its group; leaving TRIAL opens billing, TRIAL never returns."""
    account = client.account
    if account.billing_status == billing.CANCELED:
        raise refuse("plan_type", "the account is canceled")
    group = _group(client, data.get("plan_group_id"))
    plan_type = data.get("plan_type") or account.plan_type
    if plan_type == plans.TRIAL:
        if account.plan_type != plans.TRIAL:
            raise refuse("plan_type", "an account that left TRIAL cannot return to it")
    elif plan_type not in plans.PLAN_GROUPS[group]:
        raise refuse("plan_type", f"{plan_type!r} is not in plan group {group}: {', '.join(plans.PLAN_GROUPS[group])}")
    day = data.get("billing_day_of_month")
    if day is not None and not 1 <= day <= 31:
        raise refuse("billing_day_of_month", "must be from 1 to 31")
    now = timezone.now()
    old = account.plan_type
    if old == plans.TRIAL and plan_type != plans.TRIAL:
        # The billing day can be chosen only now; by default it is today's.
        client.billing_day_of_month = day or now.day
        account.billing_status = billing.OPEN
    account.plan_type = plan_type
    account.save(update_fields=["plan_type", "billing_status", "updated_at"])
    client.plan_group_id = group
    client.tier = plans.tier_number(plans.active_contacts(account))
    client.save(update_fields=["plan_group_id", "billing_day_of_month", "tier", "updated_at"])
    rank_old, rank_new = plans.PLAN_RANK.get(old, 0), plans.PLAN_RANK.get(plan_type, 0)
    if rank_new != rank_old and account.partner is not None:
        topic = deliveries.TIER_UPGRADE if rank_new > rank_old else deliveries.TIER_DOWNGRADE
        deliveries.queue(account.partner, account, topic, now)
    return client
