"""Contacts and the parts that hang off one: phones, street addresses, notes."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from apps.v3.account.models import Account
from apps.v3.common.models import TimestampedModel


class PermissionToSend(models.TextChoices):
    """Email permission, as the spec spells it."""

    IMPLICIT = "implicit"
    EXPLICIT = "explicit"
    PENDING_CONFIRMATION = "pending_confirmation"
    UNSUBSCRIBED = "unsubscribed"
    TEMP_HOLD = "temp_hold"
    NOT_SET = "not_set"


class SmsPermission(models.TextChoices):
    """SMS permission, as the spec spells it."""

    EXPLICIT = "explicit"
    UNSUBSCRIBED = "unsubscribed"
    PENDING_CONFIRMATION = "pending_confirmation"
    NOT_SET = "not_set"


class Contact(TimestampedModel):
    """A person an account can reach. Deleting marks ``deleted_at``; a later create revives it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    contact_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Stored lower-cased: addresses are matched case-insensitively within an account.
    email_address = models.CharField(max_length=80, blank=True, default="")
    permission_to_send = models.CharField(
        max_length=24, choices=PermissionToSend.choices, default=PermissionToSend.IMPLICIT
    )
    email_created_at = models.DateTimeField(null=True, blank=True)
    email_updated_at = models.DateTimeField(null=True, blank=True)
    opt_in_source = models.CharField(max_length=32, blank=True)
    opt_in_date = models.DateTimeField(null=True, blank=True)
    opt_out_source = models.CharField(max_length=32, blank=True)
    opt_out_date = models.DateTimeField(null=True, blank=True)
    opt_out_reason = models.CharField(max_length=255, blank=True)
    confirm_status = models.CharField(max_length=16, default="off")
    first_name = models.CharField(max_length=50, blank=True)
    last_name = models.CharField(max_length=50, blank=True)
    job_title = models.CharField(max_length=50, blank=True)
    company_name = models.CharField(max_length=50, blank=True)
    birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    anniversary = models.CharField(max_length=10, blank=True)
    create_source = models.CharField(max_length=16, default="Account")
    update_source = models.CharField(max_length=16, default="Account")
    deleted_at = models.DateTimeField(null=True, blank=True)
    sms_address = models.CharField(max_length=25, blank=True, default="")
    sms_permission = models.CharField(max_length=24, choices=SmsPermission.choices, default=SmsPermission.NOT_SET)
    sms_consent_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "email_address"], condition=~Q(email_address=""), name="v3_contact_email_unique"
            ),
        ]
        # One index per filter GET /contacts offers, each led by account (every query is scoped
        # to one); the trailing id keeps keyset paging on the same index.
        indexes = [
            models.Index(fields=["account", "id"], name="v3_contact_acct_id"),
            models.Index(fields=["account", "permission_to_send", "id"], name="v3_contact_acct_perm"),
            models.Index(fields=["account", "sms_permission", "id"], name="v3_contact_acct_sms"),
            models.Index(fields=["account", "updated_at"], name="v3_contact_acct_updated"),
            models.Index(fields=["account", "created_at"], name="v3_contact_acct_created"),
            models.Index(fields=["account", "opt_out_date"], name="v3_contact_acct_optout"),
            models.Index(fields=["account", "deleted_at"], name="v3_contact_acct_deleted"),
            models.Index(fields=["account", "sms_address"], name="v3_contact_acct_sms_addr"),
        ]

    def __str__(self) -> str:
        return self.email_address or self.sms_address or str(self.contact_id)


class ContactPhone(TimestampedModel):
    """One of a contact's (at most 3) phone numbers."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phone_numbers")
    phone_number_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone_number = models.CharField(max_length=25)
    kind = models.CharField(max_length=16, default="other")
    create_source = models.CharField(max_length=16, default="Account")
    update_source = models.CharField(max_length=16, default="Account")

    def __str__(self) -> str:
        return self.phone_number


class ContactAddress(TimestampedModel):
    """One of a contact's (at most 3) street addresses."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="street_addresses")
    street_address_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16)
    street = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=50, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return f"{self.street}, {self.city}"


class ContactNote(models.Model):
    """A note on a contact (at most 150)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    note_id = models.UUIDField(default=uuid.uuid4, unique=True)
    content = models.CharField(max_length=2000)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.content[:40]
