"""Segments: saved criteria that select an account's contacts."""

from __future__ import annotations

from django.db import models

from apps.v3.account.models import Account
from apps.v3.common.models import NamedResource, unique_live_name


class Segment(NamedResource):
    """Named criteria (JSON text, as the spec carries it) evaluated when contacts are listed."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="segments")
    segment_criteria = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(auto_now=True)
    # deleted_at (NamedResource): the spec keeps a deleted segment readable by id (campaign
    # history names it), so deleting marks it; its name is free for a new segment.

    class Meta:
        constraints = [unique_live_name("v3_segment_name_unique")]
        indexes = [models.Index(fields=["account", "id"], name="v3_segment_acct_id")]

    @property
    def segment_id(self) -> int:
        """The spec's integer id is the row id."""
        return int(self.pk)
