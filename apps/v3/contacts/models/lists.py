"""Contact lists and which contacts are on them."""

from __future__ import annotations

import uuid

from django.db import models

from apps.v3.account.models import Account
from apps.v3.common.models import NamedResource, TimestampedModel, unique_live_name
from apps.v3.contacts.models.contacts import Contact


class ContactList(NamedResource, TimestampedModel):
    """A list contacts subscribe to; names are unique among an account's live lists."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_lists")
    list_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    description = models.TextField(blank=True)
    favorite = models.BooleanField(default=False)

    class Meta:
        constraints = [unique_live_name("v3_list_name_unique")]
        indexes = [models.Index(fields=["account", "id"], name="v3_list_acct_id")]


class ListMembership(models.Model):
    """A contact's membership of a list."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")
    contact_list = models.ForeignKey(ContactList, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # (list, contact) serves "contacts on list X" and uniqueness; the FK index serves the
        # other direction ("lists of contact Y", the include=list_memberships load).
        constraints = [models.UniqueConstraint(fields=["contact_list", "contact"], name="v3_membership_unique_pair")]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.contact_list_id}"
