"""What recipients did with their copies: tracked links, events (opens, clicks, ...) and undeliverable addresses."""

from __future__ import annotations

from django.db import models

from apps.v3.account.models import Account
from apps.v3.campaigns.models.campaigns import CampaignActivity
from apps.v3.contacts.models import Contact


class EventKind(models.TextChoices):
    """The kinds of tracking rows; the reporting endpoints count these (``em_opens``, ``em_clicks`` ...)."""

    OPEN = "open"
    CLICK = "click"
    FORWARD = "forward"
    OPTOUT = "optout"
    BOUNCE = "bounce"
    ABUSE = "abuse"


class TrackedUrl(models.Model):
    """A link of an activity's content, rewritten to a tracked redirect; ``url_id`` is stable per activity."""

    activity = models.ForeignKey(CampaignActivity, on_delete=models.CASCADE, related_name="tracked_urls")
    url_id = models.PositiveIntegerField()
    url = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "url_id"], name="v3_trackedurl_activity_url_id")]

    def __str__(self) -> str:
        return f"{self.url_id}: {self.url}"


class TrackingEvent(models.Model):
    """One thing a recipient did (or a bounce that happened) with one activity's copy.

    ``device_type`` is read from the User-Agent (opens and clicks); ``bounce_code`` is the spec's
    bounce code letter for bounces; ``url`` names the link of a click.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tracking_events")
    activity = models.ForeignKey(CampaignActivity, on_delete=models.CASCADE, related_name="tracking_events")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="tracking_events")
    kind = models.CharField(max_length=8, choices=EventKind.choices)
    url = models.ForeignKey(TrackedUrl, on_delete=models.CASCADE, null=True, blank=True, related_name="clicks")
    device_type = models.CharField(max_length=16, blank=True)
    bounce_code = models.CharField(max_length=2, blank=True)
    reason = models.CharField(max_length=255, blank=True)  # an opt-out's reason, a bounce's diagnostic
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Reports per activity and kind; segment ``tracking`` criteria per contact.
            models.Index(fields=["activity", "kind", "contact"], name="v3_tevent_act_kind_contact"),
            models.Index(fields=["account", "contact", "kind"], name="v3_tevent_acct_contact_kind"),
            # Reporting's tracking pages: an activity's events of one kind newest first, keyset on id.
            models.Index(fields=["activity", "kind", "-id"], name="v3_tevent_act_kind_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.activity_id} by {self.contact_id}"


class Undeliverable(models.Model):
    """An address of an account that hard-bounced: later sends skip it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="undeliverable_addresses")
    email_address = models.CharField(max_length=80)
    bounce_code = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "email_address"], name="v3_undeliverable_acct_address")
        ]

    def __str__(self) -> str:
        return self.email_address
