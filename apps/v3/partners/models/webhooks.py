"""Webhook subscriptions of a partner, each notification owed to one, and every attempt to deliver it."""

from __future__ import annotations

from django.db import models

from apps.v3.account.models import Account, Partner
from apps.v3.common.models import TimestampedModel


class WebhookSubscription(TimestampedModel):
    """A partner's callback URI for one topic (1 to 4)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    topic_id = models.PositiveSmallIntegerField()
    hook_uri = models.CharField(max_length=2000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "topic_id"], name="v3_webhook_topic_unique")]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.topic_id}"


class WebhookDelivery(TimestampedModel):
    """One notification to a hook: tried at once, then every minute until it is accepted or an hour passed."""

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhook_deliveries")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    topic_id = models.PositiveSmallIntegerField()
    hook_uri = models.CharField(max_length=2000)
    # The exact bytes POSTed (and signed), so every retry sends the same body.
    body = models.TextField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    next_attempt_at = models.DateTimeField()
    give_up_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="v3_webhook_due")]

    def __str__(self) -> str:
        return f"{self.topic_id} to {self.hook_uri} ({self.state})"


class WebhookAttempt(models.Model):
    """One POST of a delivery: its answer's status, or the connection failure."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.attempted_at}: {self.status_code or self.error}"
