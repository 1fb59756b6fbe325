"""Registering through the public page: hold the seats and items, apply a promo code, file the contact, issue tickets.

All of it runs in one transaction, so a refusal at any step leaves nothing behind. Seats are
taken by a conditional UPDATE (``seats_taken + n <= capacity`` in its WHERE clause): concurrent
registrations for the last seats are serialised by the row's write lock, and each either fits
or is refused (docs/decisions/events.md#capacity-is-taken-by-a-conditional-update).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.v3.contacts.models import Contact, PermissionToSend, SmsPermission
from apps.v3.contacts.services.body import EmailChange
from apps.v3.contacts.services.consent import set_email, set_sms
from apps.v3.events.models import (
    ONLINE_METHODS,
    Event,
    EventStatus,
    Item,
    LineItem,
    PaymentStatus,
    PromoCode,
    Registration,
    RegistrationStatus,
    Ticket,
    TicketType,
    Track,
)
from apps.v3.events.tickets.mail import send_confirmation, send_owner_notice
from apps.v3.reporting.rollups import landing_pages

CENT = Decimal("0.01")
logger = logging.getLogger(__name__)


class Refused(Exception):
    """A registration the page must refuse, with the form field it belongs to ("" for the whole form)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Order:
    """What the registration form asks for, already checked field by field."""

    first_name: str
    last_name: str
    email_address: str
    phone_number: str = ""
    email_consent: bool = False
    sms_consent: bool = False
    tickets: dict[TicketType, int] = field(default_factory=dict)
    items: dict[Item, int] = field(default_factory=dict)
    promo_code: str = ""
    payment_method: str = ""


def closed_reason(event: Event, track: Track, now: datetime | None = None) -> str | None:
    """Why the event takes no registrations now, in words for the page; None while it is open."""
    now = now or timezone.now()
    if event.status != EventStatus.ACTIVE:
        return "Registration is closed: this event is not open for registration."
    if track.reg_manually_closed_flag:
        return "Registration is closed."
    if track.registration_end_time is not None and now >= track.registration_end_time:
        return "Registration is closed: the registration period has ended."
    if now >= event.event_end:
        return "Registration is closed: this event has ended."
    return None


def _take_seats(track: Track, seats: int) -> None:
    taken = Track.objects.filter(pk=track.pk, seats_taken__lte=F("overall_ticket_capacity") - seats).update(
        seats_taken=F("seats_taken") + seats
    )
    if not taken:
        remaining = Track.objects.get(pk=track.pk).seats_remaining
        if remaining == 0:
            raise Refused("tickets", "Sold out: no tickets remain for this event.")
        raise Refused("tickets", f"Only {remaining} ticket{'s' if remaining != 1 else ''} remain; choose fewer.")


def _take_items(items: dict[Item, int]) -> None:
    for item, quantity in items.items():
        taken = Item.objects.filter(
            pk=item.pk, paused_flag=False, quantity_sold__lte=F("quantity_total") - quantity
        ).update(quantity_sold=F("quantity_sold") + quantity)
        if not taken:
            raise Refused(f"item_{item.item_id}", f"{item.name}: not enough remain; choose fewer.")


def _discount(track: Track, name: str, subtotal: Decimal, now: datetime) -> tuple[str, Decimal]:
    """The promo code's name as stored and its discount on ``subtotal``; its use counted."""
    if not name:
        return "", Decimal("0")
    live = Q(start_time__isnull=True) | Q(start_time__lte=now)
    live &= Q(end_time__isnull=True) | Q(end_time__gt=now)
    code = PromoCode.objects.filter(live, track=track, name__iexact=name, paused_flag=False).first()
    if code is None:
        raise Refused("promo_code", "This promo code is not valid for this event.")
    used = (
        PromoCode.objects.filter(pk=code.pk)
        .filter(Q(quantity_total__isnull=True) | Q(quantity_used__lt=F("quantity_total")))
        .update(quantity_used=F("quantity_used") + 1)
    )
    if not used:
        raise Refused("promo_code", "This promo code has been used up.")
    if code.discount_code_type == "PERCENT":
        off = subtotal * Decimal(code.discount_percent or 0) / 100
    else:
        off = code.discount_amount or Decimal("0")
    return code.name, min(off, subtotal).quantize(CENT)


def _apply(contact: Contact, order: Order, now: datetime) -> None:
    contact.deleted_at = None
    contact.update_source = "Contact"
    contact.first_name = order.first_name[:50] or contact.first_name
    contact.last_name = order.last_name[:50] or contact.last_name
    if order.email_consent:
        set_email(contact, EmailChange(order.email_address, PermissionToSend.EXPLICIT), "Contact", now)
    if order.sms_consent and order.phone_number:
        set_sms(contact, order.phone_number, SmsPermission.EXPLICIT, now)


def _contact(track: Track, order: Order, now: datetime) -> tuple[Contact, bool]:
    """Create or update the registrant's contact (source Contact); email permission only with their consent."""
    account = track.event.account
    mine = Contact.objects.select_for_update().filter(account=account, email_address=order.email_address)
    contact = mine.first()
    created = contact is None
    if contact is None:
        contact = Contact(
            account=account,
            email_address=order.email_address,
            email_created_at=now,
            create_source="Contact",
            permission_to_send=PermissionToSend.NOT_SET,
        )
    _apply(contact, order, now)
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # Another registration with this address created the contact a moment ago: update that one.
        contact = mine.get()
        _apply(contact, order, now)
        contact.save()
        created = False
    return contact, created


def _mail_after_commit(registration_pk: int) -> None:
    # The registration stands whether or not the mail goes out; the confirmation page shows the
    # same tickets, so a mail server that is down is logged, not shown to the registrant as a failure.
    for send in (send_confirmation, send_owner_notice):
        try:
            send(registration_pk)
        except Exception:
            logger.exception("%s for registration %s was not sent", send.__name__, registration_pk)


def register(event: Event, order: Order) -> Registration:
    """File ``order`` as a registration with one ticket per seat; :class:`Refused` names what stopped it."""
    now = timezone.now()
    track = event.track
    seats = sum(order.tickets.values())
    if seats == 0:
        raise Refused("tickets", "Choose at least one ticket.")
    if track.restrict_to_single_ticket_flag and seats > 1:
        raise Refused("tickets", "This event allows one ticket per registration.")
    subtotal = sum((t.price * n for t, n in order.tickets.items()), Decimal("0"))
    subtotal += sum((i.price * n for i, n in order.items.items()), Decimal("0"))
    with transaction.atomic():
        reason = closed_reason(Event.objects.get(pk=event.pk), Track.objects.get(pk=track.pk), now)
        if reason:
            raise Refused("", reason)
        promo, off = _discount(track, order.promo_code, subtotal, now)
        total = (subtotal - off).quantize(CENT)
        method = order.payment_method if total > 0 else ""
        if total > 0 and not method:
            raise Refused("payment_method", "Choose how you will pay.")
        contact, created = _contact(track, order, now)
        online = method in ONLINE_METHODS
        registration = Registration.objects.create(
            account=event.account,
            track=track,
            contact=contact,
            new_contact=created,
            first_name=order.first_name,
            last_name=order.last_name,
            email_address=order.email_address,
            phone_number=order.phone_number,
            # No payment provider is called: an online payment stays PENDING until the payment
            # status update marks it PAID; at the door or by check, the seat is held at once.
            registration_status=RegistrationStatus.PENDING if online else RegistrationStatus.REGISTERED,
            registration_time=now,
            payment_method=method,
            payment_status=PaymentStatus.PENDING if method else "",
            tickets=seats,
            total=total,
            promo_code=promo,
        )
        lines = [
            LineItem(registration=registration, line_item_type="TICKET", name=t.name, quantity=n, amount=t.price * n)
            for t, n in order.tickets.items()
            if n
        ]
        lines += [
            LineItem(
                registration=registration, line_item_type="ITEM", name=i.name, quantity=n, amount=i.price * n, item=i
            )
            for i, n in order.items.items()
            if n
        ]
        if off:
            lines.append(LineItem(registration=registration, line_item_type="DISCOUNT", name=promo, amount=-off))
        # The landing-page report's add or update (and SMS opt-in) commits with the registration
        # (docs/decisions/reporting-contacts-landing-pages.md#landing-page-activities).
        landing_pages.record_registration(
            landing_pages.Page(event.account_id, track.campaign_activity_id),
            contact.pk,
            created=created,
            sms_optin=order.sms_consent and bool(order.phone_number),
        )
        LineItem.objects.bulk_create(lines)
        Ticket.objects.bulk_create(
            Ticket(registration=registration, ticket_type=t, ticket_name=t.name, price=t.price)
            for t, n in order.tickets.items()
            for _ in range(n)
        )
        # Seats and items last: the conditional UPDATEs lock their rows until the commit, so every
        # other registration for the event waits only for this one's commit, not for its inserts.
        _take_items(order.items)
        _take_seats(track, seats)
        transaction.on_commit(lambda: _mail_after_commit(registration.pk))
    return registration


def ticket_choices(track: Track) -> list[TicketType]:
    """The ticket types the page offers."""
    return list(track.ticket_types.filter(hidden_flag=False))


def item_choices(track: Track) -> list[Item]:
    """The items the page offers (paused ones are shown as unavailable by the page)."""
    return list(track.items.filter(hidden_flag=False))


def find_open_page(key: str) -> Event | None:
    """The event whose registration page has this key, with its track and account; None if there is none."""
    return Event.objects.select_related("track", "account").filter(registration_key=key).first()
