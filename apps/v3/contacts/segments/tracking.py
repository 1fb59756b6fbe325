"""The hook that answers ``tracking`` criteria from campaign sends and tracking rows.

A condition names a field, an operator and a window of campaigns
(docs/decisions/contacts.md#tracking-criteria):

- the window: ``last-n-campaigns`` (the account's n campaigns mailed most recently),
  ``last-n-days`` (sends, opens and clicks of the last n days), or ``campaigns`` (those ids);
- ``sent``: a copy was accepted for the contact; ``opened``/``clicked``: an open or click row;
  ``not_opened``/``not_clicked``: a copy was sent and there is no such row for that campaign;
- ``contains-any``: for at least one campaign of the window; ``contains-all``: for every one.

A campaign is all its activities (the primary email and its resends). The answer is a queryset of
contact primary keys, used as a subquery: the database does the whole selection.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.campaigns.models import EmailCampaign, EventKind, Send, SendStatus, TrackingEvent
from apps.v3.contacts.models import Contact
from apps.v3.contacts.segments.criteria import Condition

_EVENTS = {"opened": EventKind.OPEN, "clicked": EventKind.CLICK}
_ABSENT = {"not_opened": EventKind.OPEN, "not_clicked": EventKind.CLICK}


def _window(account: Account, condition: Condition) -> QuerySet[EmailCampaign, Any]:
    """The window's campaigns (primary keys)."""
    campaigns = EmailCampaign.objects.filter(account=account)
    if condition.value == "campaigns":
        return campaigns.filter(campaign_id__in=condition.param).values("pk")
    mailed = campaigns.filter(activities__runs__run_date__isnull=False)
    if condition.value == "last-n-days":
        since = timezone.now() - timedelta(days=condition.param)
        return mailed.filter(activities__runs__run_date__gte=since).values("pk").distinct()
    latest = mailed.annotate(last_run=Max("activities__runs__run_date")).order_by("-last_run", "-pk")
    return latest.values("pk")[: condition.param]


def _hits(account: Account, condition: Condition, window: QuerySet[EmailCampaign, Any]) -> QuerySet[Any, Any]:
    """Rows of (contact, campaign) for which the field holds, within the window."""
    since = timezone.now() - timedelta(days=condition.param) if condition.value == "last-n-days" else None
    if condition.field in _EVENTS:
        events = TrackingEvent.objects.filter(
            account=account, kind=_EVENTS[condition.field], activity__campaign__in=window
        )
        if since is not None:
            events = events.filter(created_at__gte=since)
        return events.values("contact_id", "activity__campaign_id")
    sends = Send.objects.filter(activity__campaign__in=window, status=SendStatus.SENT, contact__account=account)
    if since is not None:
        sends = sends.filter(sent_at__gte=since)
    if condition.field in _ABSENT:
        reacted = TrackingEvent.objects.filter(
            account=account,
            kind=_ABSENT[condition.field],
            contact_id=OuterRef("contact_id"),
            activity__campaign_id=OuterRef("activity__campaign_id"),
        )
        sends = sends.filter(~Exists(reacted))
    return sends.values("contact_id", "activity__campaign_id")


def tracking_contact_ids(account: Account, condition: Condition) -> QuerySet[Contact, Any]:
    """Primary keys of ``account``'s contacts whose sends and tracking rows satisfy ``condition``."""
    window = _window(account, condition)
    hits = _hits(account, condition, window)
    if condition.op == "contains-any":
        return Contact.objects.filter(account=account, pk__in=hits.values("contact_id")).values("pk")
    # contains-all: as many distinct campaigns hit as the window has (none when it is empty).
    size = EmailCampaign.objects.filter(pk__in=window).values("account").annotate(n=Count("pk")).values("n")
    per_contact = (
        hits.order_by()
        .values("contact_id")
        .annotate(campaigns=Count("activity__campaign_id", distinct=True))
        .filter(campaigns=Subquery(size))
        .values("contact_id")
    )
    return Contact.objects.filter(account=account, pk__in=per_contact).values("pk")
