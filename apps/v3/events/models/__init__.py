"""The events domain's rows: events and their track (tickets, items, promo codes), registrations and tickets."""

from apps.v3.events.models.events import Event, EventStatus, Item, PromoCode, TicketType, Track
from apps.v3.events.models.registrations import (
    ONLINE_METHODS,
    LineItem,
    PaymentMethod,
    PaymentStatus,
    Registration,
    RegistrationStatus,
    Ticket,
    TicketStatus,
)

__all__ = [
    "ONLINE_METHODS",
    "Event",
    "EventStatus",
    "Item",
    "LineItem",
    "PaymentMethod",
    "PaymentStatus",
    "PromoCode",
    "Registration",
    "RegistrationStatus",
    "Ticket",
    "TicketStatus",
    "TicketType",
    "Track",
]
