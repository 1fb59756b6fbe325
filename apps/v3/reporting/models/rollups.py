"""Counters per activity and rollups per (activity, contact), folded from Send and TrackingEvent rows.

A fact is named by ``kind`` (``send`` or a TrackingEvent kind) and ``dim``, a dimension of it:
``""`` for all of them, a device type (``mobile`` ...) for opens and clicks, ``u<TrackedUrl pk>`` for
clicks on a link, ``b<code>`` for bounces with a bounce code. A counter holds the number of rows
(``total``) and of distinct contacts (``uniques``); a rollup holds one contact's count and its first
and last time, so "did this contact open" is one index lookup and a unique count needs no DISTINCT.
"""

from __future__ import annotations

from django.db import models

from apps.v3.account.models import Account
from apps.v3.campaigns.models import CampaignActivity
from apps.v3.contacts.models import Contact


class RollupWatermark(models.Model):
    """How far the catch-up has folded: the last Send and TrackingEvent ids, one row per ``name``.

    ``gaps`` lists ids below the watermark that were not yet visible when it moved past them (a
    transaction that took its id earlier and committed later), each with when it was first missed:
    the next catch-ups look those ids up again until they appear or expire.
    """

    name = models.CharField(max_length=16, unique=True)
    last_send_id = models.BigIntegerField(default=0)
    last_event_id = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=dict, blank=True)  # {"send": {id: epoch seconds}, "event": {...}}
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: sends {self.last_send_id}, events {self.last_event_id}"


class ActivityCounter(models.Model):
    """One count of one activity: ``total`` rows and ``uniques`` contacts of a (kind, dim)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(CampaignActivity, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)
    dim = models.CharField(max_length=24, blank=True, default="")
    total = models.BigIntegerField(default=0)
    uniques = models.BigIntegerField(default=0)
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "kind", "dim"], name="v3_rcounter_activity_kind_dim")
        ]
        indexes = [
            # Campaign summaries: an account's activities by their last send, newest first.
            models.Index(fields=["account", "kind", "dim", "-last_at", "-id"], name="v3_rcounter_acct_last"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind}/{self.dim}: {self.total} ({self.uniques} unique)"


class ContactRollup(models.Model):
    """What one contact did of one (kind, dim) with one activity: how often, first and last when."""

    activity = models.ForeignKey(CampaignActivity, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)
    dim = models.CharField(max_length=24, blank=True, default="")
    count = models.BigIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Also the did-not-opens anti-join's index: (activity, "open", "", contact).
            models.UniqueConstraint(
                fields=["activity", "kind", "dim", "contact"], name="v3_rrollup_activity_kind_dim_contact"
            )
        ]
        indexes = [
            # Unique opens page: each contact's last open, newest first, keyset on (last_at, id).
            models.Index(fields=["activity", "kind", "dim", "-last_at", "-id"], name="v3_rrollup_last"),
            models.Index(fields=["contact", "activity"], name="v3_rrollup_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.kind}/{self.dim} of {self.activity_id}: {self.count}"
