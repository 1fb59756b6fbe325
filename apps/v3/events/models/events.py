"""Events and their default track: capacity, ticket types, items and promo codes."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q

from apps.v3.account.models import Account
from apps.v3.common.models import TimestampedModel

# Short public keys: lower-case letters and digits without the look-alikes (0/o, 1/l/i), so a key
# read off a screen or a paper ticket is typed back right.
KEY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def short_key(length: int) -> str:
    """A random key of ``length`` characters from :data:`KEY_ALPHABET`."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(length))


def track_key() -> str:
    """A track's ``track_id`` (the spec's examples are six characters: ``s8zabc``)."""
    return short_key(6)


def registration_key() -> str:
    """The key in an event's public registration URL (``/e/<key>/``)."""
    return short_key(8)


class EventStatus(models.TextChoices):
    """An event's ``status``, as ``GET /events?event_status=`` lists them (CANCELLED with two Ls)."""

    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    COMPLETE = "COMPLETE"
    CANCELLED = "CANCELLED"
    DELETED = "DELETED"
    ERROR = "ERROR"


class Event(TimestampedModel):
    """An account's event; ``name`` is unique among the account's events that are not DELETED.

    The nested DTOs the spec gives an event (``address``, ``contact``, ``online_meeting``) are kept
    as the JSON objects the API exchanges: nothing queries inside them.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="events")
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=100)
    description = models.CharField(max_length=600, blank=True)
    event_type = models.CharField(max_length=32, default="OTHER")
    location_type = models.CharField(max_length=16, default="TBD")
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT)
    event_start = models.DateTimeField()
    event_end = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC")
    currency_type = models.CharField(max_length=3, default="USD")
    event_code = models.CharField(max_length=32, blank=True)
    placeholder_campaign_id = models.CharField(max_length=64, blank=True)
    address = models.JSONField(null=True, blank=True)
    contact = models.JSONField(null=True, blank=True)
    online_meeting = models.JSONField(null=True, blank=True)
    display_contact_flag = models.BooleanField(default=True)
    display_end_time_flag = models.BooleanField(default=True)
    display_on_calendar_flag = models.BooleanField(default=False)
    display_time_zone_flag = models.BooleanField(default=True)
    notify_owner_on_reg = models.BooleanField(default=False)
    registration_key = models.CharField(max_length=16, unique=True, default=registration_key)
    active_time = models.DateTimeField(null=True, blank=True)
    cancelled_time = models.DateTimeField(null=True, blank=True)
    deleted_time = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name"], condition=~Q(status="DELETED"), name="v3_event_name_unique"
            ),
        ]
        indexes = [
            # GET /events sorts by one of these, keyset on (field, id).
            models.Index(fields=["account", "created_at", "id"], name="v3_event_acct_created"),
            models.Index(fields=["account", "updated_at", "id"], name="v3_event_acct_updated"),
            models.Index(fields=["account", "event_start", "id"], name="v3_event_acct_start"),
            models.Index(fields=["account", "event_end", "id"], name="v3_event_acct_end"),
            models.Index(fields=["account", "name", "id"], name="v3_event_acct_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Track(TimestampedModel):
    """An event's default track: its registration form, capacity and what it sells.

    ``seats_taken`` counts the tickets held by live registrations; registering raises it by a
    conditional UPDATE that cannot pass ``overall_ticket_capacity``, so capacity is never oversold
    (docs/decisions/events.md#capacity-is-taken-by-a-conditional-update).
    """

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="track")
    track_id = models.CharField(max_length=16, unique=True, default=track_key)
    campaign_activity_id = models.UUIDField(default=uuid.uuid4, unique=True)
    conf_email_campaign_activity_id = models.UUIDField(default=uuid.uuid4, unique=True, null=True, blank=True)
    overall_ticket_capacity = models.PositiveIntegerField(default=100)
    seats_taken = models.PositiveIntegerField(default=0)
    registration_end_time = models.DateTimeField(null=True, blank=True)
    reg_manually_closed_flag = models.BooleanField(default=False)
    restrict_to_single_ticket_flag = models.BooleanField(default=False)
    registration_type = models.CharField(max_length=16, default="TICKET")
    platform_fee_scope_type = models.CharField(max_length=16, default="OWNER")
    tickets_header = models.CharField(max_length=100, default="Tickets")
    items_header = models.CharField(max_length=100, default="Items")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("overall_ticket_capacity")), name="v3_track_not_oversold"
            ),
        ]

    def __str__(self) -> str:
        return self.track_id

    @property
    def seats_remaining(self) -> int:
        """Seats still for sale."""
        return max(self.overall_ticket_capacity - self.seats_taken, 0)


class TicketType(models.Model):
    """A kind of ticket the track sells (General Admission, VIP); every one takes a seat of the track."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="ticket_types")
    ticket_id = models.CharField(max_length=16, default=track_key)
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    display_order = models.PositiveIntegerField(default=1)
    hidden_flag = models.BooleanField(default=False)

    class Meta:
        ordering = ["display_order", "id"]
        constraints = [models.UniqueConstraint(fields=["track", "ticket_id"], name="v3_ticket_type_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def ticket_type(self) -> str:
        """``TicketSummaryDto.ticket_type``: PAID when it costs something, else FREE."""
        return "PAID" if self.price > 0 else "FREE"


class Item(TimestampedModel):
    """Something sold beside the tickets (a T-shirt, a meal); ``quantity_sold`` rises conditionally, as seats do."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="items")
    item_id = models.CharField(max_length=16, default=track_key)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=600, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    quantity_total = models.PositiveIntegerField(default=0)
    quantity_sold = models.PositiveIntegerField(default=0)
    limit_per_order = models.PositiveIntegerField(null=True, blank=True)
    display_order = models.PositiveIntegerField(default=1)
    show_remaining_flag = models.BooleanField(default=False)
    paused_flag = models.BooleanField(default=False)
    hidden_flag = models.BooleanField(default=False)

    class Meta:
        ordering = ["display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["track", "item_id"], name="v3_item_unique"),
            models.CheckConstraint(
                condition=Q(quantity_sold__lte=models.F("quantity_total")), name="v3_item_not_oversold"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quantity_remaining(self) -> int:
        """Items still for sale."""
        return max(self.quantity_total - self.quantity_sold, 0)


class PromoCode(TimestampedModel):
    """A discount code of a track: a percentage or an amount off the order, ``quantity_total`` uses at most."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="promo_codes")
    promo_id = models.CharField(max_length=16, default=track_key)
    name = models.CharField(max_length=50)
    description = models.CharField(max_length=255, blank=True)
    discount_code_type = models.CharField(max_length=16, default="PERCENT")
    discount_code_scope = models.CharField(max_length=16, default="ORDER_TOTAL")
    discount_percent = models.PositiveIntegerField(null=True, blank=True)
    discount_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    quantity_total = models.PositiveIntegerField(null=True, blank=True)
    quantity_used = models.PositiveIntegerField(default=0)
    paused_flag = models.BooleanField(default=False)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["track", "name"], name="v3_promo_code_unique")]

    def __str__(self) -> str:
        return self.name
