"""Landing Pages Reporting: who opened, clicked, was added, updated or opted in to SMS on a landing page.

The landing pages are the events' registration and confirmation pages
(docs/decisions/reporting-contacts-landing-pages.md#landing-page-activities). The non-unique opens
page over the events themselves; every unique report pages over the rollup the page writes with
each event (one row per contact, or per contact and link for clicks), newest first by keyset.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from apps.v3.account.models import Account
from apps.v3.campaigns.models import CampaignActivity
from apps.v3.events.models import Track
from apps.v3.gate.errors import bad_request, not_found
from apps.v3.http.paging import Page, keyset_page
from apps.v3.reporting.models import PageContactRollup, PageEvent, PageEventKind

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# contacts_filter is matched against names and addresses; longer than any of them matches nothing anyway.
MAX_FILTER = 80


@dataclass(frozen=True)
class Report:
    """One landing-page report: the rows it reads, and the tracking type its rows carry."""

    kind: str
    unique: bool
    tracking_activity_type: str


# By operation id. The types are those the spec's definitions give their rows
# (docs/decisions/reporting-contacts-landing-pages.md#tracking-type-names).
REPORTS = {
    "getUniqueContactClicks": Report(PageEventKind.CLICK, True, "p_contact_click"),
    "getUniqueContactOpens": Report(PageEventKind.OPEN, True, "p_contact_opens"),
    "getContactOpens": Report(PageEventKind.OPEN, False, "p_contact_opens"),
    "getUniqueContactUpdates": Report(PageEventKind.UPDATE, True, "p_contact_updates"),
    "getContactAdds": Report(PageEventKind.ADD, True, "p_contact_adds"),
    "getUniqueContactSMSOptIns": Report(PageEventKind.SMS_OPTIN, True, "p_contact_sms_optins"),
}


def find_page(account: Account, campaign_activity_id: uuid.UUID) -> uuid.UUID:
    """The account's campaign activity with this id; 404 for any other.

    An event's registration form or confirmation is a landing page; an email activity is an
    activity too, with no landing-page rows, so its reports are empty rather than a 404
    (docs/decisions/reporting-contacts-landing-pages.md#landing-page-activities).
    """
    page = Q(campaign_activity_id=campaign_activity_id) | Q(conf_email_campaign_activity_id=campaign_activity_id)
    if Track.objects.filter(page, event__account=account).exists():
        return campaign_activity_id
    if CampaignActivity.objects.filter(campaign_activity_id=campaign_activity_id, campaign__account=account).exists():
        return campaign_activity_id
    raise not_found(f"No campaign activity {campaign_activity_id} in this account.")


def read_limit(raw: str | None) -> int:
    """``limit``: a whole number from 1 to 500, 50 when absent."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(f"limit: must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def read_filter(raw: str | None) -> str:
    """``contacts_filter``: the text to look for in names and addresses ('' for none)."""
    text = (raw or "").strip()
    if len(text) > MAX_FILTER:
        raise bad_request(f"contacts_filter: at most {MAX_FILTER} characters")
    return text


def _matching(rows: QuerySet[Any], text: str) -> QuerySet[Any]:
    if not text:
        return rows
    return rows.filter(
        Q(contact__first_name__icontains=text)
        | Q(contact__last_name__icontains=text)
        | Q(contact__email_address__icontains=text)
    )


def report_page(
    account: Account, page_id: uuid.UUID, report: Report, contacts_filter: str, limit: int, cursor: str | None
) -> Page:
    """One page of ``report`` for the landing page ``page_id``, newest first."""
    rows: QuerySet[Any]
    if report.unique:
        rows = PageContactRollup.objects.filter(account=account, campaign_activity_id=page_id, kind=report.kind)
        order = ("-last_at", "-id")
    else:
        rows = PageEvent.objects.filter(account=account, campaign_activity_id=page_id, kind=report.kind)
        order = ("-created_at", "-id")
    rows = _matching(rows.select_related("contact"), contacts_filter)
    return keyset_page(rows, limit, cursor, order)
