"""Users of SSO-enabled client accounts, created by the partner."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from apps.v3.account.models import AccountMembership, Role
from apps.v3.gate.errors import conflict
from apps.v3.partners.models import ClientAccount, SSOIdentity
from apps.v3.partners.services import checks
from apps.v3.partners.services.checks import refuse

SSO_ROLES = (Role.ACCOUNT_MANAGER, Role.CAMPAIGN_CREATOR)


def create_sso_user(client: ClientAccount, data: dict[str, Any]) -> None:
    """A user who signs in through the partner's identity provider only (no password)."""
    if not client.sso_enabled:
        raise refuse("encoded_account_id", "the account does not have SSO for all users enabled")
    if data["role_name"] not in SSO_ROLES:
        raise refuse("role_name", f"must be one of {', '.join(SSO_ROLES)}")
    for field in SSO_FIELDS:
        if not str(data[field]).strip():
            raise refuse(field, "must not be blank")
    checks.email(data["contact_email"], "contact_email")
    checks.login_name_free(data["login_name"])
    users = get_user_model().objects
    if users.filter(email__iexact=data["contact_email"]).exists():
        raise conflict(f"contact_email: {data['contact_email']!r} belongs to another user")
    if SSOIdentity.objects.filter(
        external_provider=data["external_provider"], external_id=data["external_id"]
    ).exists():
        raise conflict("external_id: already used by another user of this provider")
    try:
        with transaction.atomic():
            user = users.create(
                username=data["login_name"],
                email=data["contact_email"],
                first_name=data["first_name"][:150],
                last_name=data["last_name"][:150],
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            SSOIdentity.objects.create(
                user=user, external_id=data["external_id"], external_provider=data["external_provider"]
            )
            AccountMembership.objects.create(account=client.account, user=user, role=data["role_name"])
    except IntegrityError:
        raise conflict("login_name: taken while this user was being created") from None


SSO_FIELDS = ("first_name", "last_name", "login_name", "external_id", "external_provider")
