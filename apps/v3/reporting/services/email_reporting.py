"""Email Reporting: the rows and counts each report reads, always after a bounded catch-up.

Counts come from the rollups (apps/v3/reporting/rollups), never from a scan of the events; the
tracking pages read the event rows themselves, newest first by id on an index of that order.
Formulas: docs/decisions/reporting.md#formulas.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.campaigns.models import (
    ActivityRole,
    CampaignActivity,
    EmailCampaign,
    EventKind,
    Send,
    TrackingEvent,
)
from apps.v3.campaigns.tracking.bounces import STATS_FIELDS
from apps.v3.gate.errors import bad_request, not_found
from apps.v3.http.paging import Page, keyset_page
from apps.v3.reporting.models import ActivityCounter, ContactRollup, RollupWatermark
from apps.v3.reporting.rollups.catchup import UNOPENED, WATERMARK, catch_up

# Reports cover the activities that are mailed to contacts (the spec: primary_email and resend).
REPORTED_ROLES = (ActivityRole.PRIMARY_EMAIL, ActivityRole.RESEND)
DEVICES = ("computer", "mobile", "tablet", "other", "none")
ALL = ""
SUMMARIES_SALT = "v3.reporting.summaries"
SUMMARIES_MAX = (
    500  # the summaries' limit, stated in words only (docs/decisions/reporting.md#limits-written-as-strings)
)


def refreshed() -> datetime:
    """Fold what is new (one bounded batch), then say when the rollups were last up to date
    (``last_refresh_time``): now when that left nothing behind, else the last fold's time."""
    started = timezone.now()
    if catch_up().complete:
        return started
    mark = RollupWatermark.objects.get(name=WATERMARK)
    return mark.refreshed_at or started


def check_limit(raw: Any, default: int, maximum: int, name: str = "limit") -> int:
    """A ``limit`` the spec types as a string (with ``maximum`` read as a number, not a count of values)."""
    value = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
    if isinstance(raw, list) and len(raw) != 1:
        raise bad_request(f"{name}: one number from 1 to {maximum}")
    try:
        number = int(str(value if value is not None else default))
    except ValueError:
        raise bad_request(f"{name}: {value!r} is not a number from 1 to {maximum}") from None
    if not 1 <= number <= maximum:
        raise bad_request(f"{name}: must be from 1 to {maximum}, got {number}")
    return number


def reported_activities(account: Account) -> QuerySet[CampaignActivity]:
    return CampaignActivity.objects.filter(
        campaign__account=account, campaign__deleted_at__isnull=True, role__in=REPORTED_ROLES
    )


def find_activity(account: Account, campaign_activity_id: uuid.UUID) -> CampaignActivity:
    activity = reported_activities(account).filter(campaign_activity_id=campaign_activity_id).first()
    if activity is None:
        raise not_found(f"No reported email campaign activity {campaign_activity_id} in this account.")
    return activity


# --- tracking pages ----------------------------------------------------------------------------


def event_page(activity: CampaignActivity, kind: str, limit: int, cursor: str | None, **filters: Any) -> Page:
    """An activity's events of one kind, newest first (index v3_tevent_act_kind_id)."""
    rows = TrackingEvent.objects.filter(activity=activity, kind=kind, **filters).select_related("contact", "url")
    return keyset_page(rows, limit, cursor, order=("-id",))


def sends_page(activity: CampaignActivity, limit: int, cursor: str | None) -> Page:
    """An activity's sends newest first (index v3_send_activity_id)."""
    rows = Send.objects.filter(activity=activity).select_related("contact")
    return keyset_page(rows, limit, cursor, order=("-id",))


def did_not_open_page(activity: CampaignActivity, limit: int, cursor: str | None) -> Page:
    """Delivered sends whose contact has not opened, newest first: the ``unopened`` rollups (index
    v3_rrollup_last), each with the address its send went to (one unique-index lookup a row)."""
    address = Send.objects.filter(activity=activity, contact_id=OuterRef("contact_id")).values("email_address")[:1]
    rows = (
        ContactRollup.objects.filter(activity=activity, kind=UNOPENED, dim=ALL)
        .select_related("contact")
        .annotate(email_address=Subquery(address))
    )
    return keyset_page(rows, limit, cursor, order=("-last_at", "-id"))


def unique_opens_page(activity: CampaignActivity, limit: int, cursor: str | None) -> Page:
    """Each opener once, at their last open, newest first (index v3_rrollup_last); the device is the last open's."""
    last_device = (
        TrackingEvent.objects.filter(activity=activity, kind=EventKind.OPEN, contact_id=OuterRef("contact_id"))
        .order_by("-id")
        .values("device_type")[:1]
    )
    rows = (
        ContactRollup.objects.filter(activity=activity, kind=EventKind.OPEN, dim=ALL)
        .select_related("contact")
        .annotate(device_type=Subquery(last_device))
    )
    return keyset_page(rows, limit, cursor, order=("-last_at", "-id"))


# --- counts ------------------------------------------------------------------------------------


def counters(activity_ids: Iterable[int]) -> dict[int, dict[tuple[str, str], ActivityCounter]]:
    """Every counter of these activities, by activity and (kind, dim): one indexed query."""
    found: dict[int, dict[tuple[str, str], ActivityCounter]] = defaultdict(dict)
    for row in ActivityCounter.objects.filter(activity_id__in=list(activity_ids)):
        found[row.activity_id][(row.kind, row.dim)] = row
    return found


def _sum(
    counts: Sequence[dict[tuple[str, str], ActivityCounter]], kind: str, dim: str = ALL, unique: bool = True
) -> int:
    return sum((c.uniques if unique else c.total) for one in counts if (c := one.get((kind, dim))) is not None)


def activity_stats(counts: Sequence[dict[tuple[str, str], ActivityCounter]], *, per_code: bool) -> dict[str, int]:
    """StatsEmail(Activity): unique counts, ``_all`` and per-device totals (docs/decisions/reporting.md#formulas)."""
    sends = _sum(counts, "send")
    bounces = _sum(counts, EventKind.BOUNCE)
    opens = _sum(counts, EventKind.OPEN)
    stats = {
        "em_sends": sends,
        "em_bounces": bounces,
        "em_opens": opens,
        "em_opens_all": _sum(counts, EventKind.OPEN, unique=False),
        "em_clicks": _sum(counts, EventKind.CLICK),
        "em_clicks_all": _sum(counts, EventKind.CLICK, unique=False),
        "em_forwards": _sum(counts, EventKind.FORWARD, unique=False),
        "em_optouts": _sum(counts, EventKind.OPTOUT),
        "em_not_opened": max(sends - bounces - opens, 0),
    }
    for device in DEVICES:
        stats[f"em_opens_all_{device}"] = _sum(counts, EventKind.OPEN, device, unique=False)
        stats[f"em_clicks_all_{device}"] = _sum(counts, EventKind.CLICK, device, unique=False)
    if per_code:
        stats["em_abuse"] = _sum(counts, EventKind.ABUSE)
        for code, field in STATS_FIELDS.items():
            stats[field] = _sum(counts, EventKind.BOUNCE, f"b{code}")
    return stats


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent, to one decimal; 0 when there is no whole."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def percents(stats: dict[str, int]) -> dict[str, float]:
    """PercentsEmail from StatsEmail (docs/decisions/reporting.md#formulas)."""
    delivered = stats["em_sends"] - stats["em_bounces"]
    mobile_opens = stats["em_opens_all_mobile"] + stats["em_opens_all_tablet"]
    mobile_clicks = stats["em_clicks_all_mobile"] + stats["em_clicks_all_tablet"]
    return {
        "bounce": percent(stats["em_bounces"], stats["em_sends"]),
        "open": percent(stats["em_opens"], delivered),
        "did_not_open": percent(stats["em_not_opened"], delivered),
        "click": percent(stats["em_clicks"], stats["em_opens"]),
        "unsubscribe": percent(stats["em_optouts"], delivered),
        "desktop_open": percent(stats["em_opens_all_computer"], stats["em_opens_all"]),
        "mobile_open": percent(mobile_opens, stats["em_opens_all"]),
        "desktop_click": percent(stats["em_clicks_all_computer"], stats["em_clicks_all"]),
        "mobile_click": percent(mobile_clicks, stats["em_clicks_all"]),
    }


def unique_counts(counts: Sequence[dict[tuple[str, str], ActivityCounter]]) -> dict[str, int]:
    """UniqueEmailCounts of a campaign: contacts, not rows, of each kind."""
    stats = activity_stats(counts, per_code=False)
    return {
        "sends": stats["em_sends"],
        "opens": stats["em_opens"],
        "clicks": stats["em_clicks"],
        "forwards": _sum(counts, EventKind.FORWARD),
        "optouts": stats["em_optouts"],
        "abuse": _sum(counts, EventKind.ABUSE),
        "bounces": stats["em_bounces"],
        "not_opened": stats["em_not_opened"],
    }


def link_stats(activity: CampaignActivity, *, no_clicks: bool) -> list[tuple[Any, int]]:
    """(TrackedUrl, distinct clickers) per link, read from the ``u<pk>`` click counters."""
    clicked = {
        int(dim[1:]): uniques
        for dim, uniques in ActivityCounter.objects.filter(
            activity=activity, kind=EventKind.CLICK, dim__startswith="u"
        ).values_list("dim", "uniques")
    }
    links = activity.tracked_urls.order_by("url_id")
    return [(link, clicked.get(link.pk, 0)) for link in links if no_clicks or clicked.get(link.pk, 0) > 0]


# --- campaigns ---------------------------------------------------------------------------------


def campaigns_by_ids(account: Account, campaign_ids: list[uuid.UUID]) -> list[EmailCampaign]:
    """The campaigns, in the order asked; any one not in the account makes the call a 404 (the spec)."""
    found = {
        c.campaign_id: c
        for c in EmailCampaign.objects.filter(account=account, deleted_at__isnull=True, campaign_id__in=campaign_ids)
    }
    missing = [str(i) for i in dict.fromkeys(campaign_ids) if i not in found]
    if missing:
        raise not_found(f"No email campaign {', '.join(missing)} in this account.")
    return [found[i] for i in dict.fromkeys(campaign_ids)]


def activities_of(campaigns: Iterable[EmailCampaign]) -> dict[int, list[int]]:
    """Reported activity pks of each campaign pk."""
    by_campaign: dict[int, list[int]] = defaultdict(list)
    rows = CampaignActivity.objects.filter(campaign__in=list(campaigns), role__in=REPORTED_ROLES)
    for pk, campaign_pk in rows.values_list("pk", "campaign_id"):
        by_campaign[campaign_pk].append(pk)
    return by_campaign


def summaries_page(
    account: Account, limit: int, cursor: str | None
) -> tuple[list[tuple[EmailCampaign, Any]], str | None]:
    """Campaigns that were sent, by their last send newest first, keyset on (last send, campaign pk).

    The order is one aggregate over the account's send counters (a row per activity, not per event).
    """
    sent = (
        ActivityCounter.objects.filter(
            account=account,
            kind="send",
            dim=ALL,
            activity__role__in=REPORTED_ROLES,
            activity__campaign__deleted_at__isnull=True,
        )
        .values("activity__campaign_id")
        .annotate(last=Max("last_at"))
        .order_by("-last", "-activity__campaign_id")
    )
    if cursor:
        key = _summaries_key(cursor)
        if not (isinstance(key, list) and len(key) == 2 and isinstance(key[1], int)):
            raise bad_request("cursor: not a cursor of this listing")
        try:
            last = datetime.fromisoformat(str(key[0]))
        except ValueError:
            raise bad_request("cursor: not a cursor of this listing") from None
        sent = sent.filter(Q(last__lt=last) | Q(last=last, activity__campaign_id__lt=key[1]))
    rows = list(sent[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    campaigns = EmailCampaign.objects.in_bulk([r["activity__campaign_id"] for r in rows])
    page = [(campaigns[r["activity__campaign_id"]], r["last"]) for r in rows]
    next_cursor = None
    if more and rows:
        next_cursor = signing.dumps(
            [rows[-1]["last"].isoformat(), rows[-1]["activity__campaign_id"]], salt=SUMMARIES_SALT, compress=True
        )
    return page, next_cursor


def _summaries_key(cursor: str) -> Any:
    try:
        return signing.loads(cursor, salt=SUMMARIES_SALT)
    except signing.BadSignature:
        return None
