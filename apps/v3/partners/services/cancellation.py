"""Cancelling a client account, now or at a later date (docs/decisions/partners.md#cancellation)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.v3.partners.engine import billing
from apps.v3.partners.models import ClientAccount
from apps.v3.partners.services.checks import refuse

# The spec's list of cancellation reasons.
REASON_IDS = frozenset({1, 2, 3, 11, 12, 14, 21, 27, 30})


def _effective(raw: str | None, now: datetime) -> datetime:
    if raw is None:
        return now
    try:
        when = parse_datetime(raw)
    except ValueError:  # well formed, but no such date (a 13th month)
        when = None
    if when is None:
        raise refuse("effective_date", f"{raw!r} is not an ISO-8601 date-time")
    if timezone.is_naive(when):
        when = timezone.make_aware(when, UTC)
    return max(when, now)  # a date already passed cancels now


@transaction.atomic
def cancel(client: ClientAccount, data: dict[str, Any]) -> ClientAccount:
    """Record the cancellation; apply it now unless its date is later (beat applies it then)."""
    reason = data.get("reason_id")
    if reason is not None and reason not in REASON_IDS:
        raise refuse("reason_id", f"must be one of {', '.join(map(str, sorted(REASON_IDS)))}")
    now = timezone.now()
    if client.canceled_at is not None:
        return client  # already canceled: the recorded cancellation, and no second notification
    client.cancel_effective_date = _effective(data.get("effective_date"), now)
    client.cancel_reason_id = reason
    client.save(update_fields=["cancel_effective_date", "cancel_reason_id", "updated_at"])
    if client.cancel_effective_date <= now:
        billing.cancel_now(client, now)
    return client
