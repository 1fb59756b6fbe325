"""Plan groups, plans and their contact tiers (docs/decisions/partners.md#plan-groups-and-tiers)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from apps.v3.account.models import Account
from apps.v3.contacts.models import Contact

TRIAL = "TRIAL"
DEFAULT_PLAN_GROUP = 1
# Plan group id -> the plans a client account in it may move to; TRIAL is only ever the first plan.
PLAN_GROUPS: dict[int, tuple[str, ...]] = {
    DEFAULT_PLAN_GROUP: ("BRONZE", "SILVER", "GOLD"),
    152: ("EMAIL", "EMAIL_PLUS"),  # an older group, kept for accounts already on it
}
# Upgrade or downgrade: a plan's place among all plans (TRIAL lowest).
PLAN_RANK = {TRIAL: 0, "EMAIL": 1, "BRONZE": 1, "EMAIL_PLUS": 2, "SILVER": 2, "GOLD": 3}
# Monthly price of each plan at tier 1; each higher tier adds the plan's step.
BASE_PRICE = {TRIAL: 0.0, "EMAIL": 20.0, "BRONZE": 12.0, "EMAIL_PLUS": 45.0, "SILVER": 35.0, "GOLD": 80.0}
TIER_STEP = {TRIAL: 0.0, "EMAIL": 25.0, "BRONZE": 20.0, "EMAIL_PLUS": 30.0, "SILVER": 30.0, "GOLD": 50.0}
# Upper contact bounds of tiers 1, 2, 3, ...; the last tier has no upper bound of its own.
TIER_MAX = (500, 2500, 5000, 10000, 25000, 50000)
CURRENCY = {"en_US": "USD", "en_GB": "GBP"}


@dataclass(frozen=True)
class Tier:
    """The CONTACTS tier an account's active contact count falls in, priced for its plan."""

    tier: int
    tier_min: int
    tier_max: int
    price: float
    current_usage: int
    currency_code: str


def active_contacts(account: Account) -> int:
    """Contacts that count toward billing: not deleted and not unsubscribed."""
    return active_contacts_q(account).count()


def active_contacts_q(account: Account) -> QuerySet[Contact]:
    """The queryset of the account's billable contacts."""
    return Contact.objects.filter(account=account, deleted_at__isnull=True).exclude(permission_to_send="unsubscribed")


def tier_number(count: int) -> int:
    """The tier (1-based) of ``count`` active contacts."""
    return next((n for n, top in enumerate(TIER_MAX, start=1) if count <= top), len(TIER_MAX) + 1)


def tier_for(plan_type: str, count: int, billing_locale: str) -> Tier:
    """The tier ``count`` contacts fall in on ``plan_type``."""
    number = tier_number(count)
    low = 0 if number == 1 else TIER_MAX[number - 2] + 1
    high = TIER_MAX[number - 1] if number <= len(TIER_MAX) else TIER_MAX[-1] * 10
    price = BASE_PRICE.get(plan_type, 0.0) + TIER_STEP.get(plan_type, 0.0) * (number - 1)
    return Tier(number, low, high, price, count, CURRENCY.get(billing_locale, "USD"))
