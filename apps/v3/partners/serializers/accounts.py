"""Client accounts, plans and cancellations as the spec shapes them."""

from __future__ import annotations

from typing import Any

from apps.v3.partners.engine import plans
from apps.v3.partners.models import ClientAccount


def site_owner(account: Any, subscriber_count: int) -> dict[str, Any]:
    """One entry of ``site_owner_list``; ``last_login_date`` only once the owner signed in."""
    client = getattr(account, "client", None)
    data: dict[str, Any] = {
        "encoded_account_id": account.encoded_account_id,
        "subscriber_count": subscriber_count,
        "organization_name": account.organization_name,
        "site_owner_name": client.login_name if client is not None else account.encoded_account_id,
        "billing_status": account.billing_status,
    }
    last_login = getattr(account, "owner_last_login", None)
    if last_login is not None:
        data["last_login_date"] = last_login.isoformat().replace("+00:00", "Z")
    return data


def plan_data(client: ClientAccount, tier: plans.Tier) -> dict[str, Any]:
    """``PlanTiersObject``: the plan, its one CONTACTS tier, billing status and billing day."""
    data: dict[str, Any] = {
        "plan_type": client.account.plan_type,
        "current_tiers": [
            {
                "usage_type": "CONTACTS",
                "current_usage": float(tier.current_usage),
                "tier": tier.tier,
                "tier_min": float(tier.tier_min),
                "tier_max": float(tier.tier_max),
                "price": tier.price,
                "currency_code": tier.currency_code,
            }
        ],
        "billing_status": client.account.billing_status,
    }
    if client.billing_day_of_month is not None:
        data["billing_day_of_month"] = client.billing_day_of_month
    return data


def cancellation_data(client: ClientAccount) -> dict[str, Any]:
    """``AccountCancellation``: when it takes effect and why."""
    data: dict[str, Any] = {}
    if client.cancel_reason_id is not None:
        data["reason_id"] = client.cancel_reason_id
    if client.cancel_effective_date is not None:
        data["effective_date"] = client.cancel_effective_date.isoformat().replace("+00:00", "Z")
    return data
