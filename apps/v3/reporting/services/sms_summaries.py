"""The SMS campaign summaries report: its parameters, and the page of campaigns it reads.

It reads the counters each ``SmsCampaign`` row carries, which apps/v3/sms moves in the same
transaction that writes the send, click or opt-out they count
(docs/decisions/sms.md#counters-move-with-the-rows): a page is one indexed range read on
(account, last_sent_date, id), never a scan of sends or clicks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.v3.account.models import Account
from apps.v3.gate.errors import V3Error, bad_request
from apps.v3.http.paging import Page, keyset_page
from apps.v3.sms.models import SmsCampaign

LIMIT_MAX = 50
ORDER = ("-last_sent_date", "-id")


@dataclass(frozen=True)
class SummariesQuery:
    """What one call asks for: a page size and an inclusive range of last send dates."""

    limit: int
    start_at: datetime
    end_at: datetime | None
    cursor: str | None


def _invalid(name: str, problem: str) -> V3Error:
    return bad_request(f"{name}: {problem}", key=f"reportingsvc.bad_request.invalid_query_param.{name}")


def read_moment(name: str, raw: str, end_of_day: bool) -> datetime:
    """An ISO 8601 date-time, or a date: its day's start, or for ``end_at`` its last instant (inclusive)."""
    try:
        # A bare date first: parse_datetime would read "2024-01-10" as that day's midnight.
        day = parse_date(raw)
        moment = parse_datetime(raw.replace(" ", "+")) if day is None else None  # an unencoded '+' is a space
    except ValueError:
        raise _invalid(name, f"{raw!r} is not a date that exists") from None
    if day is not None:
        moment = datetime.combine(day, time.max if end_of_day else time.min)
    if moment is None:
        raise _invalid(name, f"{raw!r} is not an ISO 8601 date-time")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_fixed_timezone(0))
    try:
        return moment.astimezone(UTC)  # as the database compares it; year 1 at +01:00 has no UTC time
    except OverflowError:
        raise _invalid(name, f"{raw!r} is outside the dates this service can compare") from None


def summaries_query(query: dict[str, Any]) -> SummariesQuery:
    """The call's parameters checked: limit 1 to 50, start_at required, end_at not before it."""
    raw_limit = str(query.get("limit", LIMIT_MAX)).strip()
    if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= LIMIT_MAX:
        raise _invalid("limit", f"{raw_limit!r} is not a number from 1 to {LIMIT_MAX}")
    start_at = read_moment("start_at", str(query["start_at"]), end_of_day=False)
    end_at = read_moment("end_at", str(query["end_at"]), end_of_day=True) if query.get("end_at") else None
    if end_at is not None and end_at < start_at:
        raise _invalid("end_at", "is before start_at")
    return SummariesQuery(int(raw_limit), start_at, end_at, query.get("cursor"))


def summaries_page(account: Account, asked: SummariesQuery) -> Page:
    """The account's campaigns last sent in the range, newest first, one page of them."""
    campaigns = SmsCampaign.objects.filter(account=account, last_sent_date__gte=asked.start_at)
    if asked.end_at is not None:
        campaigns = campaigns.filter(last_sent_date__lte=asked.end_at)
    return keyset_page(campaigns, asked.limit, asked.cursor, order=ORDER)
