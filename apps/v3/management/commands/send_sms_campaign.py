"""``manage.py send_sms_campaign <campaign_id>``: text an SMS campaign to its lists' SMS-permitted contacts."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.v3.sms.engine import send_campaign
from apps.v3.sms.models import SmsCampaign
from apps.v3.sms.services import SmsCampaignError


class Command(BaseCommand):
    """Send (or resume sending) one SMS campaign through ``CTCTDASH_SMS_BACKEND``."""

    help = "Send an SMS campaign (its campaign_id) to the contacts of its lists who gave SMS permission."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign_id", help="the campaign's campaign_id (a UUID)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            campaign_id = uuid.UUID(options["campaign_id"])
        except ValueError:
            raise CommandError(f"{options['campaign_id']!r} is not a campaign id (a UUID)") from None
        campaign = SmsCampaign.objects.filter(campaign_id=campaign_id).first()
        if campaign is None:
            raise CommandError(f"No SMS campaign {campaign_id}")
        try:
            outcome = send_campaign(campaign.pk)
        except SmsCampaignError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{campaign.name}: {outcome.delivered} texts sent, {outcome.failed} refused")
