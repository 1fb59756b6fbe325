"""Recording what a recipient did with their copy: opens, clicks, forwards and opt-outs.

Every function takes the ``Recipient`` a signed token names (tracking.links); the public pages
call them only after the signature checked out.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.v3.campaigns.models import CampaignActivity, EventKind, TrackedUrl, TrackingEvent
from apps.v3.campaigns.tracking.devices import device_type
from apps.v3.campaigns.tracking.links import Recipient
from apps.v3.contacts.models import Contact, PermissionToSend

# The opt-out source the contacts domain stamps when the contact themselves unsubscribes.
CONTACT_SOURCE = "Contact"


def _fields(recipient: Recipient, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "account_id": recipient.account_id,
        "activity_id": recipient.activity_id,
        "contact_id": recipient.contact_id,
        "kind": kind,
        **fields,
    }


def _event(recipient: Recipient, kind: str, **fields: Any) -> TrackingEvent:
    return TrackingEvent(**_fields(recipient, kind, **fields))


def record_open(recipient: Recipient, user_agent: str) -> bool:
    """One open row (every load of the pixel counts: the reports have unique and all opens).

    A single INSERT and no read first: the token was signed for rows that existed. False when
    they have gone since (the activity or the contact deleted), and nothing is written.

    On PostgreSQL the insert's commit does not wait for the WAL to reach the disk
    (``synchronous_commit`` off for this transaction only): that wait was most of a pixel's time,
    and a crash can lose at most the last fraction of a second of opens, never corrupt anything
    (docs/decisions/campaigns.md#open-pixel).
    """
    row = _fields(recipient, EventKind.OPEN, device_type=device_type(user_agent))
    try:
        if connection.vendor != "postgresql":
            TrackingEvent.objects.create(**row)  # autocommit: the one statement
            return True
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            TrackingEvent.objects.create(**row)
    except IntegrityError:
        return False
    return True


def click_target(recipient: Recipient, url_id: int) -> TrackedUrl | None:
    """The tracked link ``url_id`` of the recipient's activity, or None when it has no such link."""
    return TrackedUrl.objects.filter(activity_id=recipient.activity_id, url_id=url_id).first()


def record_click(recipient: Recipient, url: TrackedUrl, user_agent: str) -> None:
    """A click row; and an open, when the contact has none for the activity (images were off)."""
    device = device_type(user_agent)
    with transaction.atomic():
        opened = TrackingEvent.objects.filter(
            activity_id=recipient.activity_id, contact_id=recipient.contact_id, kind=EventKind.OPEN
        ).exists()
        rows = [_event(recipient, EventKind.CLICK, url=url, device_type=device)]
        if not opened:
            rows.insert(0, _event(recipient, EventKind.OPEN, device_type=device))
        TrackingEvent.objects.bulk_create(rows)


def recipient_rows(recipient: Recipient) -> tuple[CampaignActivity, Contact] | None:
    """The activity and the contact a token names, or None when either is gone or they do not belong together."""
    activity = (
        CampaignActivity.objects.select_related("campaign__account")
        .filter(pk=recipient.activity_id, campaign__account_id=recipient.account_id)
        .first()
    )
    contact = Contact.objects.filter(
        pk=recipient.contact_id, account_id=recipient.account_id, deleted_at__isnull=True
    ).first()
    if activity is None or contact is None:
        return None
    return activity, contact


def record_forward(recipient: Recipient) -> None:
    """A forward row: the recipient opened the forward-to-a-friend page."""
    TrackingEvent.objects.bulk_create([_event(recipient, EventKind.FORWARD)])


def unsubscribe(recipient: Recipient, reason: str = "") -> bool:
    """Opt the contact out of email, as the contact themselves (the contacts domain's stamps).

    ``permission_to_send`` becomes unsubscribed with ``opt_out_source`` Contact, the date and the
    reason, and one optout row names the activity. False (and nothing written) when the contact
    was already unsubscribed: a second click, or a one-click POST after the page's.
    """
    now = timezone.now()
    reason = reason.strip()[:255]
    with transaction.atomic():
        changed = (
            Contact.objects.filter(pk=recipient.contact_id, account_id=recipient.account_id, deleted_at__isnull=True)
            .exclude(permission_to_send=PermissionToSend.UNSUBSCRIBED)
            .update(
                permission_to_send=PermissionToSend.UNSUBSCRIBED,
                opt_out_source=CONTACT_SOURCE,
                opt_out_date=now,
                opt_out_reason=reason,
                email_updated_at=now,
                update_source=CONTACT_SOURCE,
                updated_at=now,
            )
        )
        if changed:
            TrackingEvent.objects.bulk_create([_event(recipient, EventKind.OPTOUT, reason=reason)])
    return bool(changed)
