"""Email campaigns and their campaign activities (the primary email, its permalink, resends)."""

from __future__ import annotations

import uuid

from django.db import models

from apps.v3.account.models import Account
from apps.v3.common.models import NamedResource, TimestampedModel, unique_live_name
from apps.v3.contacts.models import ContactList, Segment


class CampaignStatus(models.TextChoices):
    """``current_status`` of a campaign, spelled as the spec's campaign resource spells it."""

    DRAFT = "Draft"
    SCHEDULED = "Scheduled"
    EXECUTING = "Executing"
    DONE = "Done"
    ERROR = "Error"
    REMOVED = "Removed"


class ActivityStatus(models.TextChoices):
    """``current_status`` of a campaign activity (upper case, as the spec's activity resource spells it)."""

    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    EXECUTING = "EXECUTING"
    DONE = "DONE"
    ERROR = "ERROR"
    REMOVED = "REMOVED"


class ActivityRole(models.TextChoices):
    """``role`` of a campaign activity."""

    PRIMARY_EMAIL = "primary_email"
    PERMALINK = "permalink"
    RESEND = "resend"


class EmailCampaign(NamedResource, TimestampedModel):
    """An email campaign; ``deleted_at`` set means Removed (its name is free again).

    ``current_status`` follows the primary email activity's status (the spec's campaign statuses
    are the activity's in title case), and is Removed once deleted.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="email_campaigns")
    campaign_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    current_status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    type = models.CharField(max_length=32, default="NEWSLETTER")
    type_code = models.IntegerField(default=10)
    # The V2 API's id for the campaign (GET /emails/campaign_id_xrefs); a number as V2 had them.
    v2_id = models.BigIntegerField(unique=True, null=True, blank=True)

    class Meta:
        constraints = [unique_live_name("v3_email_campaign_name_unique")]
        indexes = [
            # GET /emails: newest changes first, keyset on (updated_at, id).
            models.Index(fields=["account", "-updated_at", "-id"], name="v3_campaign_acct_updated"),
        ]


class CampaignActivity(TimestampedModel):
    """One activity of a campaign: its content, recipients and send status.

    ``prior_status`` is the status before scheduling, which unscheduling restores.
    ``lists`` and ``segments`` are the recipients (lists or one segment, never both).
    """

    campaign = models.ForeignKey(EmailCampaign, on_delete=models.CASCADE, related_name="activities")
    campaign_activity_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=16, choices=ActivityRole.choices)
    current_status = models.CharField(max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT)
    prior_status = models.CharField(max_length=16, choices=ActivityStatus.choices, blank=True)
    format_type = models.IntegerField(default=5)
    from_name = models.CharField(max_length=100, blank=True)
    from_email = models.CharField(max_length=80, blank=True)
    reply_to_email = models.CharField(max_length=80, blank=True)
    subject = models.TextField(blank=True)
    preheader = models.CharField(max_length=200, blank=True)
    html_content = models.TextField(blank=True)
    physical_address_in_footer = models.JSONField(null=True, blank=True)
    document_properties = models.JSONField(null=True, blank=True)
    template_id = models.CharField(max_length=64, blank=True)
    lists = models.ManyToManyField(ContactList, blank=True, related_name="campaign_activities")
    segments = models.ManyToManyField(Segment, blank=True, related_name="campaign_activities")
    scheduled_date = models.DateTimeField(null=True, blank=True)
    # For a resend: the activity whose non-openers it mails.
    resend_of = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="resends")

    class Meta:
        verbose_name_plural = "campaign activities"
        indexes = [
            # The dispatcher's sweep: scheduled activities that are due.
            models.Index(fields=["current_status", "scheduled_date"], name="v3_cact_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.campaign_activity_id} ({self.current_status})"
