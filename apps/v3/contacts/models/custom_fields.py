"""Custom fields an account defines, and each contact's values for them."""

from __future__ import annotations

import uuid

from django.db import models

from apps.v3.account.models import Account
from apps.v3.common.models import TimestampedModel
from apps.v3.contacts.models.contacts import Contact


class CustomField(TimestampedModel):
    """A field an account adds to its contacts (``label`` shown, ``name`` derived and unique)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="custom_fields")
    custom_field_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    label = models.CharField(max_length=50)
    name = models.CharField(max_length=50)
    type = models.CharField(max_length=20)
    metadata = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="v3_custom_field_name_unique")]

    def __str__(self) -> str:
        return self.label


class CustomFieldChoice(TimestampedModel):
    """One choice of a select-type custom field."""

    custom_field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="choices")
    choice_id = models.PositiveIntegerField()
    choice_label = models.CharField(max_length=255)
    display_order = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["custom_field", "choice_id"], name="v3_cf_choice_unique")]

    def __str__(self) -> str:
        return self.choice_label


class CustomFieldValue(models.Model):
    """A contact's value for one custom field."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="custom_field_values")
    custom_field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=255, blank=True)
    choice_ids = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "custom_field"], name="v3_cf_value_unique")]
        # Segments filter by a field's value across an account's contacts.
        indexes = [models.Index(fields=["custom_field", "value"], name="v3_cf_value_lookup")]

    def __str__(self) -> str:
        return self.value
