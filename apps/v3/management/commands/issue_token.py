"""``manage.py issue_token --account A --scopes "..." [--user U]``: an access token for scripts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.v3.account.models import Account, AccountMembership, Role
from apps.v3.account.provisioning import scripts_application
from apps.v3.oauth.tokens import issue_token, issuer


class Command(BaseCommand):
    help = "Print a valid V3 access token for an account, for scripts and curl."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", required=True, help="encoded_account_id")
        parser.add_argument("--scopes", default="account_read account_update contact_data campaign_data")
        parser.add_argument("--user", help="username (default: the account's owner)")

    def handle(self, *args: Any, account: str, scopes: str, user: str | None = None, **options: Any) -> None:
        target = Account.objects.filter(encoded_account_id=account).first()
        if target is None:
            raise CommandError(f"No account {account!r}.")
        known = set(settings.OAUTH2_PROVIDER["SCOPES"]) - {settings.V3_PARTNER_SCOPE}  # type: ignore[call-overload]
        requested = scopes.replace(",", " ").split()
        unknown = sorted(set(requested) - known)
        if unknown:
            raise CommandError(f"Unknown scopes: {', '.join(unknown)} (known: {', '.join(sorted(known))}).")
        memberships = AccountMembership.objects.filter(account=target).select_related("user").order_by("id")
        if user:
            membership = memberships.filter(user__username=user).first()
            if membership is None:
                raise CommandError(f"User {user!r} is not a member of account {account}.")
        else:
            membership = memberships.filter(role=Role.ACCOUNT_OWNER).first() or memberships.first()
            if membership is None:
                raise CommandError(f"Account {account} has no users.")
        person = get_user_model().objects.get(pk=membership.user_id)
        self.stdout.write(issue_token(target, person, requested, scripts_application()))
        # The token is only good at the server whose issuer it names; a server on another port refuses it (401).
        self.stderr.write(f"issuer: {issuer()} (PORT or CTCTDASH_SITE_URL decides it)")
