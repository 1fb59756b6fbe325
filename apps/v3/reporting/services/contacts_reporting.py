"""Contacts Reporting: one contact's tracking activities, open and click rates, and per-email summary.

Every read here is one contact's rows, through indexes that start with the contact (sends by
contact, tracking events by account and contact, landing-page events by account and contact), so a
report costs what that contact did, never a scan of the account's events.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils.dateparse import parse_datetime

from apps.v3.account.models import Account
from apps.v3.campaigns.models import CampaignActivity, EventKind, Send, TrackingEvent
from apps.v3.contacts.models import Contact
from apps.v3.contract import operation_by_id
from apps.v3.events.models import Track
from apps.v3.gate.errors import bad_request, not_found
from apps.v3.reporting.models import PageEvent, PageEventKind

# The tracking activity types a contact's report reads, and the rows each one is.
EMAIL_KINDS = {
    "em_opens": EventKind.OPEN,
    "em_clicks": EventKind.CLICK,
    "em_bounces": EventKind.BOUNCE,
    "em_optouts": EventKind.OPTOUT,
    "em_forwards": EventKind.FORWARD,
}
# Singular here, as this operation's enum spells them; the landing-page reports' own rows say
# p_contact_opens and so on (docs/decisions/reporting-contacts-landing-pages.md#tracking-type-names).
PAGE_KINDS = {
    "p_contact_open": PageEventKind.OPEN,
    "p_contact_click": PageEventKind.CLICK,
    "p_contact_add": PageEventKind.ADD,
    "p_contact_update": PageEventKind.UPDATE,
}
SENDS = "em_sends"
MAX_LIMIT = 100
# The summary covers the contact's most recent campaign activities, at most this many.
SUMMARY_ACTIVITIES = 200
MAX_YEARS = 5
_CURSOR_SALT = "v3.reporting.contact"
# Sources of a contact's activity details, ranked so rows at one instant keep one order across pages.
_SEND, _EMAIL, _PAGE = 0, 1, 2


def tracking_types() -> list[str]:
    """The tracking activity types the spec lists for ``tracking_activities_list``."""
    param = next(p for p in operation_by_id("getContactTracking").parameters if p["name"] == "tracking_activities_list")
    return list(param["items"]["enum"])


def read_tracking_types(query: QueryDict) -> list[str]:
    """The types asked for, by exactly one of the two parameters; each one known (a 400 names any other)."""
    listed = query.get("tracking_activities_list", "")
    arrayed = [v for v in query.getlist("tracking_activity_type") if v]
    if listed and arrayed:
        raise bad_request(
            "tracking_activities_list, tracking_activity_type: give one of them, not both (they are mutually exclusive)"
        )
    if not listed and not arrayed:
        raise bad_request("tracking_activities_list or tracking_activity_type: give one of them")
    name = "tracking_activities_list" if listed else "tracking_activity_type"
    raw = listed.split(",") if listed else [part for value in arrayed for part in value.split(",")]
    types = list(dict.fromkeys(item.strip() for item in raw if item.strip()))
    if not types:
        raise bad_request(f"{name}: must not be empty")
    known = tracking_types()
    unknown = [t for t in types if t not in known]
    if unknown:
        raise bad_request(f"{name}: {unknown[0]!r} is not one of {', '.join(known)}")
    return types


def read_limit(raw: str | None, default: int, maximum: int) -> int:
    """A page size sent as a string: a whole number from 1 to ``maximum``."""
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise bad_request(f"limit: must be a whole number from 1 to {maximum}")
    return int(raw)


def _date(name: str, raw: str | None) -> datetime:
    if not raw:
        raise bad_request(f"{name}: is required")
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # an unencoded '+' of an offset arrives as a space
    except ValueError:
        value = None
    if value is None:
        raise bad_request(f"{name}: {raw!r} is not an ISO-8601 date-time (e.g. 2019-01-01T00:00:00-0500)")
    if value.tzinfo is None:
        raise bad_request(f"{name}: {raw!r} has no time zone offset (e.g. -0500 or Z)")
    return value


def _years_later(value: datetime, years: int) -> datetime:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # February 29 into a year without one
        return value.replace(year=value.year + years, day=28)


def read_range(query: QueryDict, *, max_years: int | None) -> tuple[datetime, datetime]:
    """``start`` and ``end``: both required, ``end`` not before ``start``, at most ``max_years`` apart."""
    start, end = _date("start", query.get("start")), _date("end", query.get("end"))
    if end < start:
        raise bad_request("end: must not be before start")
    if max_years is not None and end > _years_later(start, max_years):
        raise bad_request(f"start, end: the range may not exceed {max_years} years")
    return start, end


def find_contact(account: Account, contact_id: uuid.UUID) -> Contact:
    """The account's contact with this id (deleted ones too: their history stays reportable); else 404."""
    contact = Contact.objects.filter(account=account, contact_id=contact_id).first()
    if contact is None:
        raise not_found(f"No contact {contact_id} in this account.")
    return contact


@dataclass(frozen=True)
class Activity:
    """One row of a contact's activity details."""

    key: tuple[str, int, int]  # (time, source, row id): the order, newest first, and the cursor
    created_at: datetime
    tracking_activity_type: str
    activity_pk: int | None  # an email activity's row
    campaign_activity_id: uuid.UUID


def _cursor(raw: str | None) -> tuple[str, int, int] | None:
    if not raw:
        return None
    try:
        time, source, pk = signing.loads(raw, salt=_CURSOR_SALT)
        parse = parse_datetime(str(time))
        if parse is None or not isinstance(source, int) or not isinstance(pk, int):
            raise ValueError
    except (signing.BadSignature, ValueError, TypeError):
        raise bad_request("cursor: not a cursor this service issued for this report") from None
    return str(time), source, pk


def _after(qs: QuerySet[Any], time_field: str, source: int, cursor: tuple[str, int, int] | None) -> QuerySet[Any]:
    """Rows after ``cursor`` in (time, source, id) descending order, for one source."""
    if cursor is None:
        return qs
    time, at_source, pk = cursor
    when = parse_datetime(time)
    older = Q(**{f"{time_field}__lt": when})
    if source < at_source:
        return qs.filter(older | Q(**{time_field: when}))
    if source == at_source:
        return qs.filter(older | Q(**{time_field: when, "pk__lt": pk}))
    return qs.filter(older)


def _key(when: datetime, source: int, pk: int) -> tuple[str, int, int]:
    return (when.isoformat(), source, pk)


def activity_details(
    account: Account, contact: Contact, types: list[str], limit: int, raw_cursor: str | None
) -> tuple[list[Activity], str | None]:
    """A page of the contact's tracking activities of ``types``, newest first, and the next page's cursor.

    Each source (sends, email tracking rows, landing-page rows) yields at most ``limit + 1`` rows
    after the cursor in the common order; the page is the newest ``limit`` of their union.
    """
    cursor = _cursor(raw_cursor)
    found: list[Activity] = []
    if SENDS in types:
        sends = _after(Send.objects.filter(contact=contact), "sent_at", _SEND, cursor)
        for pk, when, activity_pk, activity_id in sends.order_by("-sent_at", "-pk").values_list(
            "pk", "sent_at", "activity_id", "activity__campaign_activity_id"
        )[: limit + 1]:
            found.append(Activity(_key(when, _SEND, pk), when, SENDS, activity_pk, activity_id))
    email_kinds = {EMAIL_KINDS[t]: t for t in types if t in EMAIL_KINDS}
    if email_kinds:
        events = TrackingEvent.objects.filter(account=account, contact=contact, kind__in=list(email_kinds))
        for pk, when, kind, activity_pk, activity_id in (
            _after(events, "created_at", _EMAIL, cursor)
            .order_by("-created_at", "-pk")
            .values_list("pk", "created_at", "kind", "activity_id", "activity__campaign_activity_id")[: limit + 1]
        ):
            found.append(Activity(_key(when, _EMAIL, pk), when, email_kinds[kind], activity_pk, activity_id))
    page_kinds = {PAGE_KINDS[t]: t for t in types if t in PAGE_KINDS}
    if page_kinds:
        rows = PageEvent.objects.filter(account=account, contact=contact, kind__in=list(page_kinds))
        for pk, when, kind, activity_id in (
            _after(rows, "created_at", _PAGE, cursor)
            .order_by("-created_at", "-pk")
            .values_list("pk", "created_at", "kind", "campaign_activity_id")[: limit + 1]
        ):
            found.append(Activity(_key(when, _PAGE, pk), when, page_kinds[kind], None, activity_id))
    # Newest first; at one instant the higher source and then the higher id first, as _after reads it.
    found.sort(key=lambda a: (a.created_at, a.key[1], a.key[2]), reverse=True)
    if len(found) <= limit:
        return found, None
    page = found[:limit]
    return page, signing.dumps(list(page[-1].key), salt=_CURSOR_SALT, compress=True)


def activity_names(account: Account, rows: list[Activity]) -> dict[uuid.UUID, str]:
    """The name of each row's campaign activity: its campaign's name, or its event's for a landing page."""
    email_pks = {r.activity_pk for r in rows if r.activity_pk is not None}
    names = {
        activity_id: name
        for activity_id, name in CampaignActivity.objects.filter(pk__in=email_pks).values_list(
            "campaign_activity_id", "campaign__name"
        )
    }
    pages = {r.campaign_activity_id for r in rows if r.activity_pk is None}
    if pages:
        tracks = Track.objects.filter(event__account=account).filter(
            Q(campaign_activity_id__in=pages) | Q(conf_email_campaign_activity_id__in=pages)
        )
        for form_id, confirmation_id, name in tracks.values_list(
            "campaign_activity_id", "conf_email_campaign_activity_id", "event__name"
        ):
            names[form_id] = name
            if confirmation_id is not None:
                names[confirmation_id] = f"{name} confirmation"
    return names


def _sends_between(contact: Contact, start: datetime, end: datetime) -> QuerySet[Send]:
    return Send.objects.filter(contact=contact, sent_at__gte=start, sent_at__lte=end)


@dataclass(frozen=True)
class Rates:
    """The contact's average open and click rates over the activities sent to them in a range."""

    included_activities_count: int
    average_open_rate: float
    average_click_rate: float


def open_and_click_rates(account: Account, contact: Contact, start: datetime, end: datetime) -> Rates:
    """Of the activities sent to the contact in [start, end], the share opened and the share clicked.

    docs/decisions/reporting-contacts-landing-pages.md#a-contacts-open-and-click-rates gives the formula.
    """
    activity_pks = set(_sends_between(contact, start, end).values_list("activity_id", flat=True))
    if not activity_pks:
        return Rates(0, 0.0, 0.0)
    acted = (
        TrackingEvent.objects.filter(
            account=account, contact=contact, kind__in=[EventKind.OPEN, EventKind.CLICK], activity_id__in=activity_pks
        )
        .values_list("kind", "activity_id")
        .distinct()
    )
    counts = Counter(kind for kind, _ in acted)
    total = len(activity_pks)
    return Rates(total, counts[EventKind.OPEN] / total, counts[EventKind.CLICK] / total)


@dataclass(frozen=True)
class Summary:
    """What the contact did with one activity sent to them."""

    campaign_activity_id: uuid.UUID
    start_on: datetime
    counts: dict[str, int]


SUMMARY_FIELDS = {
    EventKind.BOUNCE: "em_bounces",
    EventKind.CLICK: "em_clicks",
    EventKind.FORWARD: "em_forwards",
    EventKind.OPEN: "em_opens",
    EventKind.OPTOUT: "em_unsubscribes",
}


def activity_summary(account: Account, contact: Contact, start: datetime, end: datetime) -> list[Summary]:
    """The most recent activities sent to the contact in [start, end] (at most 200), newest first, with counts."""
    sends = list(
        _sends_between(contact, start, end)
        .order_by("-sent_at", "-pk")
        .values_list("activity_id", "activity__campaign_activity_id", "sent_at")[:SUMMARY_ACTIVITIES]
    )
    rows = TrackingEvent.objects.filter(
        account=account, contact=contact, activity_id__in=[pk for pk, _, _ in sends], kind__in=list(SUMMARY_FIELDS)
    )
    counted = {(a, k): n for a, k, n in rows.values_list("activity_id", "kind").annotate(n=Count("id")).order_by()}
    return [
        Summary(
            activity_id,
            sent_at,
            # A Send row is the one copy an activity mails a contact (one per activity and contact).
            {"em_sends": 1, **{field: counted.get((pk, kind), 0) for kind, field in SUMMARY_FIELDS.items()}},
        )
        for pk, activity_id, sent_at in sends
    ]
