"""Sending an SMS campaign: every contact of its lists with SMS permission gets one text.

Batches of :data:`BATCH` recipients: their send rows are written (pending), the texts go to the
backend, and one transaction records each outcome and moves the campaign's counters by the same
amounts. A run that stops halfway (killed, a backend down) is resumed by running it again: the
pending rows of the batch it was on are sent first, and no contact with a send row is chosen
twice, so nobody gets the campaign twice except the texts of that one batch whose outcome was
never recorded (docs/decisions/sms.md#a-resumed-send).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from apps.v3.contacts.models import Contact, ListMembership, SmsPermission
from apps.v3.sms.backends import SmsBackend, SmsMessage, get_backend
from apps.v3.sms.models import SmsCampaign, SmsCampaignStatus, SmsLink, SmsSend, SmsSendStatus
from apps.v3.sms.services import SmsCampaignError, new_send, text_for

# Recipients per batch: one query for them, one bulk insert and one bulk update per batch, and
# the most texts a crash mid-batch can send twice.
BATCH = 500


@dataclass
class SendOutcome:
    """What one run did: texts accepted and refused."""

    delivered: int = 0
    failed: int = 0


def recipients(campaign: SmsCampaign) -> list[Contact]:
    """The next batch of the campaign's contacts: on one of its lists, SMS permitted, not yet sent to."""
    # A list deleted since the campaign was written is being emptied in the background: not an audience any more.
    live_lists = campaign.contact_lists.filter(deleted_at__isnull=True)
    on_lists = ListMembership.objects.filter(contact=OuterRef("pk"), contact_list__in=live_lists)
    sent = SmsSend.objects.filter(campaign=campaign, contact=OuterRef("pk"))
    return list(
        Contact.objects.filter(account_id=campaign.account_id, deleted_at__isnull=True)
        .filter(sms_permission=SmsPermission.EXPLICIT)
        .exclude(sms_address="")
        .filter(Exists(on_lists))
        .exclude(Exists(sent))
        .order_by("pk")[:BATCH]
    )


def _start(campaign_pk: int) -> SmsCampaign:
    with transaction.atomic():
        campaign = SmsCampaign.objects.select_for_update().get(pk=campaign_pk)
        if campaign.status == SmsCampaignStatus.SENT:
            raise SmsCampaignError(f"campaign {campaign.campaign_id} was already sent")
        campaign.status = SmsCampaignStatus.SENDING
        campaign.save(update_fields=["status", "updated_at"])
    return campaign


def _deliver(campaign: SmsCampaign, links: list[SmsLink], sends: list[SmsSend], backend: SmsBackend) -> SendOutcome:
    """Hand ``sends`` (pending) to the backend, then record what it answered and move the counters."""
    results = backend.send_messages([SmsMessage(s.sms_address, text_for(campaign, links, s), s.code) for s in sends])
    now = timezone.now()
    outcome = SendOutcome()
    for send, error in zip(sends, results, strict=True):
        send.sent_at, send.error = now, (error or "")[:255]
        send.status = SmsSendStatus.FAILED if error else SmsSendStatus.DELIVERED
        outcome.failed += bool(error)
        outcome.delivered += not error
    # Same transaction as the rows (docs/decisions/sms.md#counters-move-with-the-rows).
    with transaction.atomic():
        SmsSend.objects.bulk_update(sends, ["sent_at", "error", "status"])
        SmsCampaign.objects.filter(pk=campaign.pk).update(
            sends=F("sends") + len(sends),
            delivers=F("delivers") + outcome.delivered,
            bounces=F("bounces") + outcome.failed,
            last_sent_date=now,
        )
    return outcome


def send_campaign(campaign_pk: int, backend: SmsBackend | None = None) -> SendOutcome:
    """Send a DRAFT (or resume a SENDING) campaign to every permitted contact; SENT when done."""
    campaign = _start(campaign_pk)
    backend = backend or get_backend()
    links = list(campaign.links.all())
    total = SendOutcome()
    while True:
        pending = list(campaign.send_rows.filter(status=SmsSendStatus.PENDING).order_by("pk")[:BATCH])
        if not pending:
            batch = recipients(campaign)
            if not batch:
                break
            # A code that collides with another recipient's drops that row; the next round picks the contact again.
            SmsSend.objects.bulk_create([new_send(campaign, c) for c in batch], ignore_conflicts=True)
            continue
        outcome = _deliver(campaign, links, pending, backend)
        total.delivered += outcome.delivered
        total.failed += outcome.failed
    SmsCampaign.objects.filter(pk=campaign.pk).update(status=SmsCampaignStatus.SENT, updated_at=timezone.now())
    return total
