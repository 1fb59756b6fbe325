"""The public addresses of an event's pages: its registration page, a registration's confirmation, a ticket.

The confirmation link is signed (it shows the registrant's order, so its address must not be
guessable from a registration id); a ticket's page is addressed by its ``order_ticket_key``, which
is long and random enough on its own (docs/decisions/events.md#public-pages-and-their-addresses).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.v3.events.models import Event, Registration, Ticket

_SALT = "v3.events.confirmation"


def registration_url(event: Event) -> str:
    """The event's public registration page (``registration_url``)."""
    return settings.SITE_URL + reverse("v3-events:register", args=[event.registration_key])


def confirmation_token(registration: Registration) -> str:
    """The signed token naming a registration in its confirmation link: the same every time (no time stamp), as
    the link in the mail, the one the API gives and the one the form redirects to must agree and not expire."""
    return signing.Signer(salt=_SALT).sign_object(str(registration.registration_id))


def read_confirmation_token(token: str) -> str | None:
    """The registration id a confirmation token names, or None when it was not signed here."""
    try:
        value = signing.Signer(salt=_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None


def confirmation_path(registration: Registration) -> str:
    """The path of the registration's confirmation page, where the registration form sends the registrant."""
    return reverse("v3-events:confirmation", args=[confirmation_token(registration)])


def confirmation_url(registration: Registration) -> str:
    """The registration's confirmation page with its tickets (``order_summary.tickets_link``, the mail's link)."""
    return settings.SITE_URL + confirmation_path(registration)


def ticket_url(ticket: Ticket) -> str:
    """The page a ticket's QR code opens, for the registrant and for staff at the door."""
    return settings.SITE_URL + reverse("v3-events:ticket", args=[ticket.order_ticket_key])
