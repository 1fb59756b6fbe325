"""Identity and tenancy: accounts, the people who use them, and what each role may do."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from apps.v3.common.models import TimestampedModel


def new_encoded_account_id() -> str:
    """An opaque public account id in the style of the real service (``a07e1lx4...``)."""
    return "a" + secrets.token_hex(6)


class Partner(TimestampedModel):
    """A technology partner that provisions and manages client accounts."""

    encoded_partner_id = models.CharField(max_length=32, unique=True, default=new_encoded_account_id)
    name = models.CharField(max_length=200)
    # The OAuth application partners authenticate as (client credentials / JWT bearer).
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.PROTECT,
        related_name="partner",
        null=True,
        blank=True,
    )
    # Stored as a SHA-256 digest: the key itself is shown once, when it is issued.
    api_key_digest = models.CharField(max_length=64, unique=True)
    # PEM public key the partner signs JWT-bearer assertions with (RFC 7523).
    assertion_public_key = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Account(TimestampedModel):
    """A Constant Contact account: every V3 record belongs to exactly one."""

    encoded_account_id = models.CharField(max_length=32, unique=True, default=new_encoded_account_id)
    organization_name = models.CharField(max_length=200, blank=True)
    organization_phone = models.CharField(max_length=25, blank=True)
    contact_email = models.CharField(max_length=80, blank=True)
    contact_phone = models.CharField(max_length=25, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    website = models.CharField(max_length=200, blank=True)
    time_zone_id = models.CharField(max_length=64, default="America/New_York")
    country_code = models.CharField(max_length=2, default="US")
    state_code = models.CharField(max_length=2, blank=True)
    company_logo_url = models.CharField(max_length=500, blank=True)
    company_logo_external_url = models.CharField(max_length=500, blank=True)
    company_logo_internal_id = models.CharField(max_length=64, blank=True)
    plan_type = models.CharField(max_length=32, default="TRIAL")
    billing_status = models.CharField(max_length=32, default="Trial")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts")

    def __str__(self) -> str:
        return f"{self.organization_name or 'account'} ({self.encoded_account_id})"


class PhysicalAddress(models.Model):
    """An account's one physical address."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="physical_address")
    address_line1 = models.CharField(max_length=80)
    address_line2 = models.CharField(max_length=80, blank=True)
    address_line3 = models.CharField(max_length=80, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_code = models.CharField(max_length=2, blank=True)
    state_name = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country_code = models.CharField(max_length=2)

    def __str__(self) -> str:
        return f"{self.address_line1}, {self.city} {self.country_code}"


class AccountEmail(TimestampedModel):
    """An email address on the account, usable as a from/reply-to once confirmed."""

    class ConfirmStatus(models.TextChoices):
        CONFIRMED = "CONFIRMED"
        UNCONFIRMED = "UNCONFIRMED"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="emails")
    email_address = models.CharField(max_length=80)
    confirm_status = models.CharField(max_length=12, choices=ConfirmStatus.choices, default=ConfirmStatus.UNCONFIRMED)
    confirm_token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    confirm_time = models.DateTimeField(null=True, blank=True)
    confirm_source_type = models.CharField(max_length=32, blank=True)
    roles = models.JSONField(default=list)
    pending_roles = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "email_address"], name="v3_account_email_unique")]

    def __str__(self) -> str:
        return self.email_address


class Role(models.TextChoices):
    """A user's role on an account; each grants a fixed set of privileges."""

    ACCOUNT_OWNER = "account_owner"
    ACCOUNT_MANAGER = "account_manager"
    CAMPAIGN_CREATOR = "campaign_creator"
    REPORTS_VIEWER = "reports_viewer"


# Privilege names are the spec's `x-authorization-privileges`; the ids are this service's own,
# stable once published (clients may store them).
PRIVILEGE_IDS: dict[str, int] = {
    "account:read": 1,
    "account:update": 2,
    "contacts:read": 3,
    "contacts:write": 4,
    "contacts:lists:read": 5,
    "contacts:lists:write": 6,
    "campaign:read": 7,
    "campaign:write": 8,
    "campaign:send": 9,
    "campaign:delete": 10,
    "ui:campaign:metrics": 11,
}
_READ = {"account:read", "contacts:read", "contacts:lists:read", "campaign:read", "ui:campaign:metrics"}
ROLE_PRIVILEGES: dict[str, frozenset[str]] = {
    Role.ACCOUNT_OWNER: frozenset(PRIVILEGE_IDS),
    Role.ACCOUNT_MANAGER: frozenset(PRIVILEGE_IDS) - {"account:update"},
    Role.CAMPAIGN_CREATOR: frozenset(_READ | {"contacts:write", "contacts:lists:write", "campaign:write"}),
    Role.REPORTS_VIEWER: frozenset(_READ),
}


class AccountMembership(TimestampedModel):
    """A user's role on one account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="v3_memberships")
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.ACCOUNT_OWNER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="v3_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} as {self.role} on {self.account_id}"

    @property
    def privileges(self) -> frozenset[str]:
        """The privileges this membership's role grants."""
        return ROLE_PRIVILEGES[self.role]
