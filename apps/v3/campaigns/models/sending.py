"""The send engine's rows: one run per schedule that fires (its ``send_history`` entry) and one send per recipient."""

from __future__ import annotations

from django.db import models

from apps.v3.campaigns.models.campaigns import CampaignActivity
from apps.v3.contacts.models import Contact


class SendRunState(models.TextChoices):
    """Where a run is in the engine; ``send_status`` is what ``send_history`` reports once it ends."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "COMPLETED"
    ERRORED = "ERRORED"


class SendRun(models.Model):
    """One firing of an activity's schedule: the ``send_history`` row, and the engine's progress on it.

    ``send_id`` numbers an activity's runs from 1. ``checkpoint`` is the last contact row id whose
    send is committed, written with each batch, so a restarted worker resumes after it.
    ``lease_owner`` and ``heartbeat_at`` say which worker holds the run and when it last showed
    signs of life (as the bulk activities do).
    """

    activity = models.ForeignKey(CampaignActivity, on_delete=models.CASCADE, related_name="runs")
    send_id = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=SendRunState.choices, default=SendRunState.QUEUED)
    contact_list_ids = models.JSONField(default=list, blank=True)  # as the history reports them (UUID strings)
    segment_ids = models.JSONField(default=list, blank=True)
    count = models.PositiveIntegerField(default=0)  # messages accepted by the mail server in this run
    total = models.PositiveIntegerField(null=True, blank=True)  # eligible recipients, once resolved
    run_date = models.DateTimeField(null=True, blank=True)
    reason_code = models.IntegerField(null=True, blank=True)  # the spec's codes; 12 = no eligible contacts
    # A/B tests: which subject this run mails ("A", "B", the winner's letter) and to whom ("test"/"rest").
    variant = models.CharField(max_length=1, blank=True)
    phase = models.CharField(max_length=8, blank=True)
    checkpoint = models.BigIntegerField(default=0)
    lease_owner = models.CharField(max_length=128, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "send_id"], name="v3_sendrun_activity_send_id")]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="v3_sendrun_state_hb")]

    def __str__(self) -> str:
        return f"run {self.send_id} of {self.activity_id} ({self.state})"


class SendStatus(models.TextChoices):
    """What happened to one recipient's copy."""

    SENT = "sent"  # accepted by the mail server
    BOUNCED = "bounced"  # refused by the mail server at send time (a bounce row records the code)


class Send(models.Model):
    """One recipient's copy of an activity: at most one per (activity, contact), so no one is mailed twice."""

    activity = models.ForeignKey(CampaignActivity, on_delete=models.CASCADE, related_name="sends")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="campaign_sends")
    run = models.ForeignKey(SendRun, on_delete=models.CASCADE, related_name="sends")
    email_address = models.CharField(max_length=80)  # the address it went to, as it was then
    status = models.CharField(max_length=8, choices=SendStatus.choices, default=SendStatus.SENT)
    variant = models.CharField(max_length=1, blank=True)  # A/B tests: "A" or "B"
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "contact"], name="v3_send_once_per_contact")]
        indexes = [
            models.Index(fields=["run", "contact"], name="v3_send_run_contact"),
            # Reporting's sends and did-not-opens pages: an activity's sends newest first, keyset on id.
            models.Index(fields=["activity", "-id"], name="v3_send_activity_id"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} to {self.email_address}"
