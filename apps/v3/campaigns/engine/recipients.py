"""Who an activity's run mails: set-based querysets of eligible contacts, one statement each.

Eligibility is docs/decisions/campaigns.md#who-a-send-reaches: a live contact with an email
address whose permission allows mail, not undeliverable, and without a copy of this activity
yet (so a resend of a DONE or ERROR activity, or a resumed run, mails only who is missing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.v3.campaigns.models import CampaignActivity, EventKind, Send, SendStatus, TrackingEvent, Undeliverable
from apps.v3.contacts.models import Contact, ListMembership
from apps.v3.contacts.models.contacts import PermissionToSend
from apps.v3.contacts.segments.evaluate import contacts_matching

# Permissions that allow a campaign: a contact who is unsubscribed, on hold, not set or still
# pending confirmation gets none (docs/decisions/campaigns.md#who-a-send-reaches).
SENDABLE = (PermissionToSend.IMPLICIT, PermissionToSend.EXPLICIT)


def audience(activity: CampaignActivity) -> QuerySet[Contact]:
    """The contacts the activity's lists (live ones) or segment select, each once, before eligibility."""
    account = activity.campaign.account
    lists = list(activity.lists.filter(deleted_at__isnull=True).values_list("pk", flat=True))
    if lists:
        member = ListMembership.objects.filter(contact=OuterRef("pk"), contact_list_id__in=lists)
        # EXISTS, not a join: a contact on two of the lists is one row.
        return Contact.objects.filter(account=account, deleted_at__isnull=True).filter(Exists(member))
    segments = list(activity.segments.all())
    if segments:
        matching = reduce(or_, (Q(pk__in=contacts_matching(account, s).values("pk")) for s in segments))
        return Contact.objects.filter(account=account, deleted_at__isnull=True).filter(matching)
    return Contact.objects.none()


def non_openers(activity: CampaignActivity) -> QuerySet[Contact]:
    """A resend's audience: who received its primary email (``resend_of``) and has not opened it."""
    primary = activity.resend_of
    if primary is None:
        return Contact.objects.none()
    received = Send.objects.filter(activity=primary, contact=OuterRef("pk"), status=SendStatus.SENT)
    opened = TrackingEvent.objects.filter(activity=primary, contact=OuterRef("pk"), kind=EventKind.OPEN)
    return Contact.objects.filter(account=primary.campaign.account_id, deleted_at__isnull=True).filter(
        Exists(received), ~Exists(opened)
    )


def eligible(activity: CampaignActivity, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """``contacts`` that may be mailed ``activity`` now and have no copy of it yet."""
    undeliverable = Undeliverable.objects.filter(
        account=activity.campaign.account_id, email_address=OuterRef("email_address")
    )
    copied = Send.objects.filter(activity=activity, contact=OuterRef("pk"))
    return (
        contacts.filter(permission_to_send__in=SENDABLE)
        .exclude(email_address="")
        .exclude(Exists(undeliverable))
        .exclude(Exists(copied))
    )


def recipients(activity: CampaignActivity) -> QuerySet[Contact]:
    """Everyone a run of ``activity`` still has to mail: its audience (or non-openers), eligible."""
    source = non_openers(activity) if activity.resend_of_id else audience(activity)
    return eligible(activity, source)


def ab_rank(seed: int, pks: Iterable[int]) -> list[int]:
    """``pks`` in a pseudo-random order fixed by ``seed``: the same on every (re)run of an A/B test.

    A hash of (seed, pk) rather than a shuffle, so a contact's place depends on nobody else: a
    contact who joins or leaves between two runs does not reshuffle the samples already drawn.
    """
    return sorted(pks, key=lambda pk: hashlib.blake2b(f"{seed}:{pk}".encode(), digest_size=8).digest())
