"""What an activity may carry besides its content: an A/B test on the subject, resends to non-openers, test sends."""

from __future__ import annotations

import uuid

from django.db import models

from apps.v3.account.models import Account
from apps.v3.campaigns.models.campaigns import CampaignActivity


class ABTest(models.Model):
    """An A/B test of a primary email's subject: ``test_size`` percent get A or B, the rest the winner.

    ``winner`` is "A" (the activity's own subject) or "B" (``alternative_subject``) once chosen;
    ``test_sent_at`` starts the ``winner_wait_duration`` hours after which it is chosen.
    """

    activity = models.OneToOneField(CampaignActivity, on_delete=models.CASCADE, related_name="abtest")
    alternative_subject = models.TextField()
    test_size = models.PositiveSmallIntegerField()
    winner_wait_duration = models.PositiveSmallIntegerField()
    winner = models.CharField(max_length=1, blank=True)
    test_sent_at = models.DateTimeField(null=True, blank=True)
    winner_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"A/B test of {self.activity_id}"


class NonOpenerResend(models.Model):
    """A request to resend an activity to its non-openers (one per campaign); ``resend`` is the activity mailing it."""

    activity = models.ForeignKey(CampaignActivity, on_delete=models.CASCADE, related_name="non_opener_resends")
    resend_request_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resend_subject = models.TextField()
    delay_days = models.PositiveSmallIntegerField(null=True, blank=True)
    delay_minutes = models.PositiveIntegerField(null=True, blank=True)
    resend_date = models.DateTimeField(null=True, blank=True)
    resend_status = models.CharField(max_length=16, blank=True)
    resend = models.OneToOneField(
        CampaignActivity, on_delete=models.SET_NULL, null=True, blank=True, related_name="resend_request"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"resend {self.resend_request_id} of {self.activity_id}"


class TestSendLog(models.Model):
    """Test sends of an account, counted against its daily allowance (50 addresses a day)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="test_sends")
    activity = models.ForeignKey(CampaignActivity, on_delete=models.CASCADE, related_name="test_sends")
    addresses = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "sent_at"], name="v3_testsend_acct_sent")]

    def __str__(self) -> str:
        return f"{self.addresses} test send(s) of {self.activity_id}"
