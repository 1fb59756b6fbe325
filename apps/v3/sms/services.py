"""Named actions on SMS campaigns: create one, write a recipient's text, record a click or a STOP reply.

Every action that writes a send, click or opt-out row moves the campaign's counter in the same
transaction (docs/decisions/sms.md#counters-move-with-the-rows), so the summaries report reads
counters that can never disagree with the rows behind them.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable, Sequence
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.contacts.models import Contact, ContactList, SmsPermission
from apps.v3.sms.models import (
    LINK_CODE_LENGTH,
    SEND_CODE_LENGTH,
    SmsCampaign,
    SmsClick,
    SmsLink,
    SmsOptOut,
    SmsSend,
)

_ALPHABET = string.ascii_letters + string.digits
# A link in the text: up to whitespace; trailing sentence punctuation is not part of it.
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)"
# The opt-out keywords carriers and the CTIA handbook name; a reply is one of them alone.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
# docs/decisions/sms.md#every-text-says-how-to-stop
STOP_FOOTER = "Reply STOP to opt out."
TEXT_MAX = 1000


class SmsCampaignError(ValueError):
    """A campaign that cannot be created or sent as asked."""


def random_code(length: int) -> str:
    """A random code of letters and digits (unguessable, so clicks cannot be forged by counting)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def normalise_number(raw: str) -> str:
    """A phone number as digits, with its leading ``+`` if it had one: how sends and replies are matched."""
    raw = raw.strip()
    digits = "".join(c for c in raw if c.isdigit())
    return f"+{digits}" if raw.startswith("+") else digits


def links_of(text: str) -> list[str]:
    """The distinct http(s) links of ``text``, in order."""
    found = [match.group(0).rstrip(_TRAILING) for match in _URL.finditer(text)]
    return list(dict.fromkeys(found))


def create_sms_campaign(account: Account, name: str, text: str, list_ids: Iterable[UUID | str]) -> SmsCampaign:
    """A DRAFT campaign of ``text`` to the account's lists ``list_ids``, with a short link for each link."""
    name, text = name.strip(), text.strip()
    if not name or len(name) > SmsCampaign._meta.get_field("name").max_length:  # type: ignore[operator]
        raise SmsCampaignError("name: 1 to 80 characters")
    if not text or len(text) > TEXT_MAX:
        raise SmsCampaignError(f"text: 1 to {TEXT_MAX} characters")
    try:
        wanted = {UUID(str(list_id)) for list_id in list_ids}
    except ValueError:
        raise SmsCampaignError("list_ids: each must be a list_id (a UUID)") from None
    lists = list(ContactList.objects.live().filter(account=account, list_id__in=wanted))
    if not wanted or len(lists) != len(wanted):
        raise SmsCampaignError("list_ids: name one or more of the account's lists")
    with transaction.atomic():
        campaign = SmsCampaign.objects.create(account=account, name=name, text=text)
        campaign.contact_lists.set(lists)
        SmsLink.objects.bulk_create(
            SmsLink(campaign=campaign, code=random_code(LINK_CODE_LENGTH), url=url) for url in links_of(text)
        )
    return campaign


def new_send(campaign: SmsCampaign, contact: Contact) -> SmsSend:
    """An unsaved pending send of ``campaign`` to ``contact``, with its own link code."""
    return SmsSend(
        campaign=campaign,
        contact=contact,
        sms_address=normalise_number(contact.sms_address),
        code=random_code(SEND_CODE_LENGTH),
    )


def short_url(link: SmsLink, send: SmsSend) -> str:
    """The recipient's short link for ``link``: ``/s/<link code><send code>``."""
    return settings.SITE_URL + reverse("v3-sms:short-link", args=[link.code + send.code])


def text_for(campaign: SmsCampaign, links: Sequence[SmsLink], send: SmsSend) -> str:
    """What ``send``'s recipient receives: the text with each link shortened, then how to stop."""
    by_url = {link.url: short_url(link, send) for link in links}

    def shorten(match: re.Match[str]) -> str:
        url = match.group(0)
        bare = url.rstrip(_TRAILING)
        return by_url.get(bare, bare) + url[len(bare) :]

    return f"{_URL.sub(shorten, campaign.text)}\n{STOP_FOOTER}"


def record_click(code: str) -> str | None:
    """Record a click on the short link ``code``; the address it leads to, or None for no such link.

    Every click is a row; the campaign's unique ``clicks`` moves on the recipient's first.
    """
    link = SmsLink.objects.filter(code=code[:LINK_CODE_LENGTH]).first()
    if link is None or len(code) != LINK_CODE_LENGTH + SEND_CODE_LENGTH:
        return None
    send = SmsSend.objects.filter(campaign_id=link.campaign_id, code=code[LINK_CODE_LENGTH:]).first()
    if send is None:
        return None
    with transaction.atomic():
        SmsClick.objects.create(link=link, send=send)
        first = SmsSend.objects.filter(pk=send.pk, clicked_at__isnull=True).update(clicked_at=timezone.now())
        if first:
            SmsCampaign.objects.filter(pk=link.campaign_id).update(clicks=F("clicks") + 1)
    return link.url


def is_stop(body: str) -> bool:
    """Whether a reply asks to stop: one opt-out keyword alone, any case, trailing punctuation ignored."""
    return body.strip().rstrip(".!").upper() in STOP_WORDS


def record_stop(from_number: str, body: str) -> int:
    """Unsubscribe from SMS every contact who was texted from this service at ``from_number``; how many.

    The service texts every account's campaigns from one sender, so a STOP to it stops them all
    (docs/decisions/sms.md#a-stop-reply-stops-every-account). Each contact gets an opt-out row
    naming the newest text it answered, whose campaign counts one unique opt-out.
    """
    number = normalise_number(from_number)
    if not number.lstrip("+"):
        return 0
    now = timezone.now()
    with transaction.atomic():
        newest: dict[int, SmsSend] = {}
        for send in SmsSend.objects.filter(sms_address=number).order_by("id"):
            newest[send.contact_id] = send  # ascending ids: the last one kept is the newest
        contacts = list(
            Contact.objects.select_for_update()
            .filter(pk__in=newest, deleted_at__isnull=True)
            .exclude(sms_permission=SmsPermission.UNSUBSCRIBED)
        )
        if not contacts:
            return 0
        Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(
            sms_permission=SmsPermission.UNSUBSCRIBED, sms_consent_date=now, updated_at=now
        )
        answered = [newest[c.pk] for c in contacts]
        SmsOptOut.objects.bulk_create(
            SmsOptOut(account_id=c.account_id, contact=c, send=newest[c.pk], from_number=number, body=body[:160])
            for c in contacts
        )
        firsts = list(
            SmsSend.objects.filter(pk__in=[s.pk for s in answered], opted_out_at__isnull=True).values_list(
                "pk", "campaign_id"
            )
        )
        SmsSend.objects.filter(pk__in=[pk for pk, _ in firsts]).update(opted_out_at=now)
        per_campaign: dict[int, int] = {}
        for _, campaign_id in firsts:
            per_campaign[campaign_id] = per_campaign.get(campaign_id, 0) + 1
        for campaign_id, count in per_campaign.items():
            SmsCampaign.objects.filter(pk=campaign_id).update(optouts=F("optouts") + count)
    return len(contacts)
