"""Registrations of a track, their order's line items, and the tickets they hold."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models

from apps.v3.account.models import Account
from apps.v3.contacts.models import Contact
from apps.v3.events.models.events import Item, TicketType, Track, short_key


def ticket_key() -> str:
    """An ``order_ticket_key``: 12 characters (about 58 bits), so a ticket's public page cannot be guessed."""
    return short_key(12)


def order_number() -> str:
    """``order_summary.number``, shown to the registrant (the spec's example is ten characters)."""
    return short_key(10).upper()


class RegistrationStatus(models.TextChoices):
    """``registration_status`` as the responses spell it (CANCELED with one L; SPEC-NOTES).

    The listing's filter enum also has the one member ``"IN_PROGRESS, FAILED"``, which selects both
    (docs/decisions/events.md#registration-status-words).
    """

    PENDING = "PENDING"
    REGISTERED = "REGISTERED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    IN_PROGRESS = "IN_PROGRESS"
    FAILED = "FAILED"


class PaymentStatus(models.TextChoices):
    """``payment_status`` of a paid registration; a free one has none (stored as "")."""

    PENDING = "PENDING"
    PAID = "PAID"
    REFUNDED = "REFUNDED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    CHARGED_BACK = "CHARGED_BACK"
    UNKNOWN = "UNKNOWN"


class PaymentMethod(models.TextChoices):
    """How a paid registration pays; DOOR and CHECK need no outside service (the others are online)."""

    DOOR = "DOOR"
    CHECK = "CHECK"
    PAYPAL = "PAYPAL"
    STRIPE = "STRIPE"
    WEPAY = "WEPAY"


ONLINE_METHODS = frozenset({PaymentMethod.PAYPAL, PaymentMethod.STRIPE, PaymentMethod.WEPAY})


class Registration(models.Model):
    """One registrant's order on a track: who, its status, its payment and what it bought.

    The registrant's name and address are copied from the form (the contact may change later), and
    ``tickets``/``total`` are kept on the row, so the listing sorts and pages by every allowed field
    on an index of its own.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="event_registrations")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="registrations")
    registration_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    new_contact = models.BooleanField(default=False)
    first_name = models.CharField(max_length=50, blank=True)
    last_name = models.CharField(max_length=50, blank=True)
    email_address = models.CharField(max_length=80)
    phone_number = models.CharField(max_length=25, blank=True)
    registration_status = models.CharField(max_length=16, choices=RegistrationStatus.choices)
    registration_time = models.DateTimeField()
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices, blank=True)
    payment_status = models.CharField(max_length=16, choices=PaymentStatus.choices, blank=True)
    payment_time = models.DateTimeField(null=True, blank=True)
    payment_transaction_id = models.CharField(max_length=64, blank=True)
    order_number = models.CharField(max_length=16, default=order_number)
    tickets = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    promo_code = models.CharField(max_length=50, blank=True)
    # Whether the items it bought count in their quantity_sold: a cancellation may leave them sold
    # (return_items_to_inventory=false), and a reinstatement then must not take them twice.
    items_held = models.BooleanField(default=True)

    class Meta:
        # GET .../registrations: every sort field on its own (track, field, id) index, so page 100
        # costs what page 1 does (bench/bench_events.py).
        indexes = [
            models.Index(fields=["track", "registration_time", "id"], name="v3_reg_track_time"),
            models.Index(fields=["track", "first_name", "id"], name="v3_reg_track_first"),
            models.Index(fields=["track", "last_name", "id"], name="v3_reg_track_last"),
            models.Index(fields=["track", "email_address", "id"], name="v3_reg_track_email"),
            models.Index(fields=["track", "registration_status", "id"], name="v3_reg_track_status"),
            models.Index(fields=["track", "payment_status", "id"], name="v3_reg_track_payment"),
            models.Index(fields=["track", "tickets", "id"], name="v3_reg_track_tickets"),
            models.Index(fields=["track", "total", "id"], name="v3_reg_track_total"),
        ]

    def __str__(self) -> str:
        return f"{self.email_address} on {self.track_id}"


class LineItem(models.Model):
    """One line of a registration's order: tickets of a type, items, or the promo code's discount."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="line_items")
    line_item_type = models.CharField(max_length=16)  # TICKET, ITEM or DISCOUNT
    name = models.CharField(max_length=100)
    quantity = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class TicketStatus(models.TextChoices):
    """A ticket is ACTIVE until its registration is cancelled."""

    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"


class Ticket(models.Model):
    """One seat of a registration, brought to the door by its key (a QR code); ``checked_in_time`` once scanned."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="ticket_rows")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="+")
    order_ticket_key = models.CharField(max_length=16, unique=True, default=ticket_key)
    ticket_name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.ACTIVE)
    checked_in_time = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.order_ticket_key
