"""Webhook notifications: queued as rows, POSTed signed, retried every minute for up to an hour.

Every function that decides takes ``now``, so tests drive the clock (docs/decisions/partners.md#webhook-retries).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction

from apps.v3.account.models import Account, Partner
from apps.v3.partners.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

RETRY_EVERY = timedelta(minutes=1)
RETRY_FOR = timedelta(hours=1)
# A hook that takes longer than this is a failed attempt; the next one comes a minute later.
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Ctct-Signature"
DELIVERY_HEADER = "X-Ctct-Delivery-Id"
DELIVER_TASK = "v3.partners.deliver_webhook"

# Topic id -> (name, description, event_type), as the spec lists the topics.
TOPICS: dict[int, tuple[str, str, str]] = {
    1: ("Billing Tier Upgrade", "Executes when an account's billing tier is upgraded.", "tier.increase"),
    2: ("Billing Tier Downgrade", "Executes when an account's billing tier is downgraded.", "tier.decrease"),
    3: ("Account Cancelled", "Executes when an account is cancelled.", "account.cancelled"),
    4: ("Account Disabled", "Executes when an account is disabled.", "account.disabled"),
}
TIER_UPGRADE, TIER_DOWNGRADE, ACCOUNT_CANCELLED, ACCOUNT_DISABLED = 1, 2, 3, 4


def signature(partner: Partner, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the body>``, keyed with the partner's secret
    (docs/decisions/partners.md#webhook-signature): the hex SHA-256 of its ``x-api-key``, which the
    service stores and the partner can compute, so no further secret has to be handed over."""
    digest = hmac.new(partner.api_key_digest.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(partner: Partner, account: Account | None, topic_id: int) -> str:
    """The notification body the spec shows: ``{url, api_key, event_type}``."""
    account_id = account.encoded_account_id if account is not None else "a07e1my9tbw0"
    api_key = partner.application.client_id if partner.application is not None else ""
    return json.dumps(
        {
            "url": f"{settings.SITE_URL}/v3/partner/accounts/{account_id}/plan",
            "api_key": api_key,
            "event_type": TOPICS[topic_id][2],
        }
    )


def queue(
    partner: Partner, account: Account | None, topic_id: int, now: datetime, hook_uri: str = "", start: bool = True
) -> list[int]:
    """A delivery to the partner's hook for ``topic_id`` (none when it has no subscription); its id in a list.

    With ``start``, the first attempt is a Celery task started once the surrounding transaction commits.
    """
    if not hook_uri:
        subscription = WebhookSubscription.objects.filter(partner=partner, topic_id=topic_id).first()
        if subscription is None:
            return []
        hook_uri = subscription.hook_uri
    delivery = WebhookDelivery.objects.create(
        partner=partner,
        account=account,
        topic_id=topic_id,
        hook_uri=hook_uri,
        body=payload(partner, account, topic_id),
        next_attempt_at=now,
        give_up_at=now + RETRY_FOR,
    )
    if start:
        transaction.on_commit(lambda: _start(delivery.pk))
    return [delivery.pk]


def _start(delivery_pk: int) -> None:
    from celery import current_app

    current_app.send_task(DELIVER_TASK, args=[delivery_pk])


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(delivery.partner, body),
        DELIVERY_HEADER: str(delivery.pk),
    }
    try:
        response = requests.post(delivery.hook_uri, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return response.status_code, ""


def attempt(delivery_pk: int, now: datetime) -> str:
    """POST the delivery if it is due at ``now``, record the attempt, and return its state afterwards.

    The row is locked for the attempt, so two workers holding the same delivery send it once.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("partner__application")
            .get(pk=delivery_pk)
        )
        if delivery.state != WebhookDelivery.State.PENDING or delivery.next_attempt_at > now:
            return str(delivery.state)
        status, error = _post(delivery)
        WebhookAttempt.objects.create(delivery=delivery, attempted_at=now, status_code=status, error=error)
        if status is not None and 200 <= status < 300:
            delivery.state = WebhookDelivery.State.DELIVERED
        elif now + RETRY_EVERY > delivery.give_up_at:
            delivery.state = WebhookDelivery.State.FAILED
        else:
            delivery.next_attempt_at = now + RETRY_EVERY
        delivery.save(update_fields=["state", "next_attempt_at", "updated_at"])
        return str(delivery.state)


def due(now: datetime) -> list[int]:
    """Ids of pending deliveries whose next attempt has come."""
    rows = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
    return list(rows.order_by("next_attempt_at").values_list("pk", flat=True)[:500])


def deliver_due(now: datetime) -> dict[int, str]:
    """Attempt every due delivery at ``now`` (the beat sweep runs this each minute): id -> state after."""
    return {pk: attempt(pk, now) for pk in due(now)}
