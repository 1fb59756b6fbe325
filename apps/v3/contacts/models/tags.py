"""Tags an account defines and the taggings that put them on contacts."""

from __future__ import annotations

import uuid

from django.db import models

from apps.v3.account.models import Account
from apps.v3.common.models import NamedResource, TimestampedModel, unique_live_name
from apps.v3.contacts.models.contacts import Contact


class Tag(NamedResource, TimestampedModel):
    """A label for contacts; names are unique among an account's live tags.

    ``deleted_at`` marks a tag whose deletion was accepted: it is hidden at once while the
    ``contacts_tags_delete`` activity removes its taggings and then the row itself.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tags")
    tag_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tag_source = models.CharField(max_length=50, blank=True)

    class Meta:
        constraints = [unique_live_name("v3_tag_name_unique")]
        indexes = [models.Index(fields=["account", "id"], name="v3_tag_acct_id")]


class Tagging(models.Model):
    """A tag on a contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "contact"], name="v3_tagging_unique_pair")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.contact_id}"
