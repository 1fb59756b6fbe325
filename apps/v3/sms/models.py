"""SMS campaigns and what happened to them: sends, tracked short links, clicks, STOP opt-outs.

Each campaign row carries the counters the SMS summaries report reads (``sends`` ... ``optouts``).
They are moved by the same transaction that writes the send, click or opt-out row they count
(apps/v3/sms/services.py), so a report is one indexed read per page and never a scan of events.
"""

from __future__ import annotations

import uuid

from django.db import models

from apps.v3.account.models import Account
from apps.v3.common.models import TimestampedModel
from apps.v3.contacts.models import Contact, ContactList

# Short codes: a link's code, then a recipient's code, in ``/s/<link code><send code>``.
LINK_CODE_LENGTH = 6
SEND_CODE_LENGTH = 8


class SmsCampaignStatus(models.TextChoices):
    """Where a campaign is: being written, being sent, or sent to every permitted contact."""

    DRAFT = "DRAFT"
    SENDING = "SENDING"
    SENT = "SENT"


class SmsCampaign(TimestampedModel):
    """A text sent to the contacts of some lists who gave SMS permission, and its report counters."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sms_campaigns")
    campaign_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80)
    text = models.TextField()
    contact_lists = models.ManyToManyField(ContactList, related_name="sms_campaigns")
    status = models.CharField(max_length=8, choices=SmsCampaignStatus.choices, default=SmsCampaignStatus.DRAFT)
    last_sent_date = models.DateTimeField(null=True, blank=True)
    # Unique counts, each moved in the transaction that records what it counts.
    sends = models.PositiveIntegerField(default=0)
    delivers = models.PositiveIntegerField(default=0)
    bounces = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    optouts = models.PositiveIntegerField(default=0)

    class Meta:
        # The summaries report: the account's campaigns by last_sent_date, newest first, keyset on id.
        indexes = [models.Index(fields=["account", "last_sent_date", "id"], name="v3_smscamp_acct_sent")]

    def __str__(self) -> str:
        return self.name


class SmsSendStatus(models.TextChoices):
    """A recipient's message: written but not yet handed over, accepted by the backend, or refused."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class SmsSend(models.Model):
    """One campaign's message to one contact; ``code`` makes its short links that recipient's own."""

    campaign = models.ForeignKey(SmsCampaign, on_delete=models.CASCADE, related_name="send_rows")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="sms_sends")
    # The number as sent, normalised (apps/v3/sms/services.py normalise_number), which STOP replies match.
    sms_address = models.CharField(max_length=25)
    code = models.CharField(max_length=SEND_CODE_LENGTH)
    status = models.CharField(max_length=10, choices=SmsSendStatus.choices, default=SmsSendStatus.PENDING)
    error = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # First click and opt-out: a unique count moves only when these go from empty to set.
    clicked_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="v3_smssend_campaign_contact"),
            models.UniqueConstraint(fields=["campaign", "code"], name="v3_smssend_campaign_code"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="v3_smssend_campaign_status"),
            models.Index(fields=["sms_address", "id"], name="v3_smssend_address"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} to {self.sms_address}"


class SmsLink(models.Model):
    """A link of a campaign's text, sent as a short tracked link."""

    campaign = models.ForeignKey(SmsCampaign, on_delete=models.CASCADE, related_name="links")
    code = models.CharField(max_length=LINK_CODE_LENGTH, unique=True)
    url = models.TextField()

    def __str__(self) -> str:
        return f"{self.code}: {self.url}"


class SmsClick(models.Model):
    """A recipient followed a short link (every click; the campaign counts distinct clickers)."""

    link = models.ForeignKey(SmsLink, on_delete=models.CASCADE, related_name="clicks")
    send = models.ForeignKey(SmsSend, on_delete=models.CASCADE, related_name="clicks")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"click on {self.link_id} by {self.send_id}"


class SmsOptOut(models.Model):
    """A STOP reply that unsubscribed a contact from SMS, and the message it answered."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sms_optouts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="sms_optouts")
    send = models.ForeignKey(SmsSend, on_delete=models.SET_NULL, null=True, blank=True, related_name="optouts")
    from_number = models.CharField(max_length=25)
    body = models.CharField(max_length=160)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body}"
