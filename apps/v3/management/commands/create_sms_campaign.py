"""``manage.py create_sms_campaign``: a DRAFT SMS campaign of an account, for ``send_sms_campaign`` to send."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.v3.account.models import Account
from apps.v3.sms.services import SmsCampaignError, create_sms_campaign


class Command(BaseCommand):
    """Create an SMS campaign; prints its campaign_id."""

    help = "Create a DRAFT SMS campaign to some of an account's lists; prints its campaign_id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="the account's encoded_account_id")
        parser.add_argument("--name", required=True)
        parser.add_argument("--text", required=True, help="the text; its http(s) links become tracked short links")
        parser.add_argument("--list", dest="list_ids", action="append", required=True, help="a list_id (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.filter(encoded_account_id=options["account"]).first()
        if account is None:
            raise CommandError(f"No account {options['account']}")
        try:
            campaign = create_sms_campaign(account, options["name"], options["text"], options["list_ids"])
        except SmsCampaignError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(campaign.campaign_id))
