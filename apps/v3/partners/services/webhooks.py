"""A partner's webhook subscriptions, and the test send."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from apps.v3.account.models import Partner
from apps.v3.gate.errors import not_found
from apps.v3.partners.engine import deliveries
from apps.v3.partners.models import WebhookSubscription
from apps.v3.partners.services import checks


def subscriptions(partner: Partner) -> list[WebhookSubscription]:
    """The partner's subscriptions, by topic."""
    return list(WebhookSubscription.objects.filter(partner=partner).order_by("topic_id"))


def subscription(partner: Partner, raw_topic: str) -> WebhookSubscription:
    """The partner's subscription to the topic; 404 when it has none."""
    topic = checks.topic_id(raw_topic)
    found = WebhookSubscription.objects.filter(partner=partner, topic_id=topic).first()
    if found is None:
        raise not_found(f"topic_id: no subscription to topic {topic}")
    return found


def subscribe(partner: Partner, raw_topic: str, data: dict[str, Any]) -> WebhookSubscription:
    """Subscribe to the topic, or change its hook URI."""
    topic = checks.topic_id(raw_topic)
    hook_uri = checks.http_uri(str(data.get("hook_uri") or ""), "hook_uri")
    if len(hook_uri) > 2000:
        raise checks.refuse("hook_uri", "at most 2000 characters")
    row, _ = WebhookSubscription.objects.update_or_create(
        partner=partner, topic_id=topic, defaults={"hook_uri": hook_uri}
    )
    return row


def unsubscribe(partner: Partner, raw_topic: str) -> None:
    """Drop the subscription; 404 when there is none."""
    subscription(partner, raw_topic).delete()


def test_send(partner: Partner, raw_topic: str) -> WebhookSubscription:
    """POST sample data to the topic's hook now (in the request), retried like any notification if refused."""
    found = subscription(partner, raw_topic)
    now = timezone.now()
    ids = deliveries.queue(partner, None, found.topic_id, now, hook_uri=found.hook_uri, start=False)
    for pk in ids:
        deliveries.attempt(pk, now)
    return found
