"""What a partner's provisioning adds to an account: billing, trial, cancellation, and SSO identities."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from apps.v3.account.models import Account
from apps.v3.common.models import TimestampedModel


class ClientAccount(TimestampedModel):
    """A client account provisioned by a partner (``Account.partner`` says which), with its billing state."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="client")
    provision_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    login_name = models.CharField(max_length=50)
    partner_account_id = models.CharField(max_length=80, blank=True)
    billing_locale = models.CharField(max_length=5, default="en_US")
    managed_site_owner = models.BooleanField(default=True)
    enable_single_billing = models.BooleanField(default=False)
    gdpr_opt_out = models.BooleanField(default=False)
    # Provisioned with an external id and provider instead of a password: every user signs in by SSO
    # (docs/decisions/partners.md#sso-for-all-users).
    sso_enabled = models.BooleanField(default=False)
    plan_group_id = models.PositiveIntegerField(default=1)
    billing_day_of_month = models.PositiveSmallIntegerField(null=True, blank=True)
    trial_end = models.DateTimeField()
    # The tier last reported to the partner, so a sweep notices a crossing once.
    tier = models.PositiveSmallIntegerField(default=1)
    cancel_effective_date = models.DateTimeField(null=True, blank=True)
    cancel_reason_id = models.PositiveSmallIntegerField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.login_name


class SSOIdentity(TimestampedModel):
    """The external authenticator's id of a user of an SSO-enabled client account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="v3_sso_identity")
    external_id = models.CharField(max_length=255)
    external_provider = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["external_provider", "external_id"], name="v3_sso_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.external_provider}:{self.external_id}"
