"""Recording landing-page tracking rows as the events' public pages are used, with their unique rollup.

The events domain's pages call these (docs/decisions/reporting-contacts-landing-pages.md#landing-page-activities):
a visit of a registration page by a contact a campaign's tracked link brought (a visitor token
derived from the copy's recipient token rides along as ``RECIPIENT_PARAM``) is an open, as is the registrant's visit of
their confirmation page; a tracked link on a page a click; a registration an add (it created the
contact) or an update (it changed an existing one), plus an SMS opt-in when the registrant gave
SMS consent. Each row and its :class:`PageContactRollup` upsert are written in one transaction,
so the unique reports read the rollup and never collapse events per request.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from apps.v3.campaigns.tracking.devices import device_type
from apps.v3.campaigns.tracking.links import read_token
from apps.v3.contacts.models import Contact
from apps.v3.reporting.models import PageContactRollup, PageEvent, PageEventKind, PageLink

# The query parameter that carries who a campaign's tracked link brought to an event page.
RECIPIENT_PARAM = "ctct_r"
# The visitor token names (account, contact) and only says who visited: unlike the copy's own
# recipient token it cannot unsubscribe anyone, so a shared or leaked page address (a Referer,
# a pasted link) gives nothing away (docs/decisions/reporting-contacts-landing-pages.md#landing-page-activities).
_VISITOR = signing.Signer(salt="v3.reporting.landing-visitor")
# The path prefix of the event registration pages a tracked link may lead to.
EVENT_PAGES = "/e/"


@dataclass(frozen=True)
class Page:
    """A landing page: the account it belongs to and its campaign activity id."""

    account_id: int
    campaign_activity_id: uuid.UUID


def carry_recipient(url: str, token: str) -> str:
    """``url`` with a visitor token for the copy's recipient when it is one of this service's event pages."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    recipient = read_token(token)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc) or not parts.path.startswith(EVENT_PAGES):
        return url
    if recipient is None:
        return url
    visitor = _VISITOR.sign(f"{signing.b62_encode(recipient.account_id)}-{signing.b62_encode(recipient.contact_id)}")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != RECIPIENT_PARAM]
    query.append((RECIPIENT_PARAM, visitor))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _visitor(token: str | None) -> tuple[int, int] | None:
    """The (account, contact) primary keys a visitor token names, or None when it was not signed here."""
    try:
        account, contact = _VISITOR.unsign(token or "").split("-")
        return signing.b62_decode(account), signing.b62_decode(contact)
    except (signing.BadSignature, ValueError, KeyError, IndexError):
        return None


def _write(
    page: Page, contact_id: int, kinds: Sequence[str], *, user_agent: str = "", link: PageLink | None = None
) -> None:
    now = timezone.now()
    # Only opens and clicks come from a browser whose device the reports name.
    seen = kinds[0] in (PageEventKind.OPEN, PageEventKind.CLICK)
    fields = {
        "account_id": page.account_id,
        "campaign_activity_id": page.campaign_activity_id,
        "contact_id": contact_id,
        "url_id": link.pk if link is not None else 0,
        "link_url": link.url if link is not None else "",
        "device_type": device_type(user_agent) if seen else "",
    }
    with transaction.atomic():
        PageEvent.objects.bulk_create([PageEvent(kind=kind, created_at=now, **fields) for kind in kinds])
        PageContactRollup.objects.bulk_create(
            [PageContactRollup(kind=kind, last_at=now, **fields) for kind in kinds],
            update_conflicts=True,
            unique_fields=["campaign_activity_id", "kind", "contact", "url_id"],
            update_fields=["last_at", "device_type", "link_url"],
        )


def record_visit(page: Page, token: str | None, user_agent: str) -> bool:
    """An open of ``page`` by the contact a visitor token names; nothing for anyone unknown.

    The token must be signed here and name a live contact of the page's own account: a token
    from another account's mail records nothing in this one.
    """
    visitor = _visitor(token)
    if visitor is None or visitor[0] != page.account_id:
        return False
    if not Contact.objects.filter(pk=visitor[1], account_id=page.account_id, deleted_at__isnull=True).exists():
        return False
    _write(page, visitor[1], [PageEventKind.OPEN], user_agent=user_agent)
    return True


def record_open(page: Page, contact_id: int, user_agent: str) -> None:
    """An open of ``page`` by a contact the page itself knows (a registrant on their confirmation page)."""
    _write(page, contact_id, [PageEventKind.OPEN], user_agent=user_agent)


def record_registration(page: Page, contact_id: int, *, created: bool, sms_optin: bool) -> None:
    """A registration on ``page``: an add (it created the contact) or an update, and an SMS opt-in with consent."""
    kinds: list[str] = [PageEventKind.ADD if created else PageEventKind.UPDATE]
    if sms_optin:
        kinds.append(PageEventKind.SMS_OPTIN)
    _write(page, contact_id, kinds)


def tracked_link(page: Page, url: str) -> PageLink:
    """The tracked link of ``page`` to ``url`` (made the first time the page shows it)."""
    link, _ = PageLink.objects.get_or_create(campaign_activity_id=page.campaign_activity_id, url=url)
    return link


def find_link(page: Page, url_id: int) -> PageLink | None:
    """The tracked link ``url_id`` of ``page``, or None when the page has no such link."""
    return PageLink.objects.filter(pk=url_id, campaign_activity_id=page.campaign_activity_id).first()


def record_click(page: Page, contact_id: int, link: PageLink, user_agent: str) -> None:
    """A click of ``link`` on ``page`` by a contact the page knows."""
    _write(page, contact_id, [PageEventKind.CLICK], user_agent=user_agent, link=link)
