"""Webhook subscriptions as the spec shapes them."""

from __future__ import annotations

from typing import Any

from apps.v3.partners.engine.deliveries import TOPICS
from apps.v3.partners.models import WebhookSubscription


def subscription_data(row: WebhookSubscription, *, described: bool = True) -> dict[str, Any]:
    """A subscription; the PUT answer carries only its topic and URI."""
    data: dict[str, Any] = {"topic_id": row.topic_id, "hook_uri": row.hook_uri}
    if described:
        name, description, _ = TOPICS[row.topic_id]
        data.update(topic_name=name, topic_description=description)
    return data
