"""Billing changes that notify the partner: cancellations, lapsed trials, tiers crossed. Each takes ``now``."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q

from apps.v3.account.models import Account
from apps.v3.partners.engine import deliveries, plans
from apps.v3.partners.models import ClientAccount

CANCELED = "Canceled"
TRIAL_END = "Trial End"
OPEN = "Open"
TRIAL = "Trial"


def cancel_now(client: ClientAccount, now: datetime) -> None:
    """Cancel the account: billing status Canceled, its tokens refused from now on, the partner notified.

    Its data stays (docs/decisions/partners.md#cancellation).
    """
    account = client.account
    if account.billing_status == CANCELED:
        return
    account.billing_status = CANCELED
    account.save(update_fields=["billing_status", "updated_at"])
    client.canceled_at = now
    client.save(update_fields=["canceled_at", "updated_at"])
    if account.partner is not None:
        deliveries.queue(account.partner, account, deliveries.ACCOUNT_CANCELLED, now)


@transaction.atomic
def cancel_due(now: datetime) -> list[str]:
    """Apply the cancellations whose effective date has come; their encoded account ids."""
    # Only the client rows are locked: the joined partner and application are read, and are nullable.
    clients = ClientAccount.objects.select_for_update(of=("self",)).select_related("account__partner__application")
    due = clients.filter(cancel_effective_date__lte=now, canceled_at__isnull=True)
    done = []
    for client in due:
        cancel_now(client, now)
        done.append(client.account.encoded_account_id)
    return done


@transaction.atomic
def end_lapsed_trials(now: datetime) -> list[str]:
    """Trials past their end become Trial End, which disables the account (topic 4 is sent)."""
    lapsed = list(
        ClientAccount.objects.select_related("account__partner__application").filter(
            trial_end__lte=now, account__billing_status=TRIAL
        )
    )
    Account.objects.filter(pk__in=[c.account_id for c in lapsed]).update(billing_status=TRIAL_END, updated_at=now)
    for client in lapsed:
        if client.account.partner is not None:
            deliveries.queue(client.account.partner, client.account, deliveries.ACCOUNT_DISABLED, now)
    return [c.account.encoded_account_id for c in lapsed]


@transaction.atomic
def check_tiers(now: datetime) -> dict[str, int]:
    """Paying accounts whose active contact count crossed a tier: the partner hears of each (topics 1, 2).

    One counting query for every open client account; only the ones that moved are written.
    """
    billable = Q(account__contacts__deleted_at__isnull=True) & ~Q(account__contacts__permission_to_send="unsubscribed")
    rows = (
        ClientAccount.objects.select_related("account__partner__application")
        .filter(account__billing_status=OPEN)
        .annotate(active=Count("account__contacts", filter=billable))
    )
    moved: dict[str, int] = {}
    for client in rows:
        tier = plans.tier_number(client.active)
        if tier == client.tier:
            continue
        topic = deliveries.TIER_UPGRADE if tier > client.tier else deliveries.TIER_DOWNGRADE
        client.tier = tier
        client.save(update_fields=["tier", "updated_at"])
        if client.account.partner is not None:
            deliveries.queue(client.account.partner, client.account, topic, now)
        moved[client.account.encoded_account_id] = tier
    return moved
