"""The confirmation email: the order, and each ticket's key as a QR code with a link back to its page.

Sent through Django's mail (the campaigns send path is not there yet; docs/decisions/events.md#the-confirmation-email),
after the registration's transaction commits, so a registration that rolls back mails nothing.
"""

from __future__ import annotations

from email.mime.image import MIMEImage
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from apps.v3.events.models import Registration
from apps.v3.events.tickets.links import confirmation_url, ticket_url
from apps.v3.events.tickets.qr import qr_png


def send_confirmation(registration_pk: int) -> None:
    """Mail the registrant their confirmation with one inline QR image per ticket."""
    registration = Registration.objects.select_related("track__event__account").get(pk=registration_pk)
    event = registration.track.event
    tickets: list[dict[str, Any]] = [
        {"ticket": t, "url": ticket_url(t), "cid": f"ticket-{t.order_ticket_key}@ctctdash"}
        for t in registration.ticket_rows.all()
    ]
    context = {
        "event": event,
        "registration": registration,
        "line_items": list(registration.line_items.all()),
        "tickets": tickets,
        "confirmation_url": confirmation_url(registration),
    }
    message = EmailMultiAlternatives(
        subject=f"Your registration for {event.title}",
        body=render_to_string("v3/events/email/confirmation.txt", context),
        from_email=(event.contact or {}).get("from_email_address") or settings.DEFAULT_FROM_EMAIL,
        to=[registration.email_address],
    )
    message.attach_alternative(render_to_string("v3/events/email/confirmation.html", context), "text/html")
    message.mixed_subtype = "related"  # the images belong to the HTML part, which names them by Content-ID
    for entry in tickets:
        image = MIMEImage(qr_png(entry["url"]), "png")
        image.add_header("Content-ID", f"<{entry['cid']}>")
        image.add_header("Content-Disposition", "inline", filename=f"{entry['ticket'].order_ticket_key}.png")
        message.attach(image)
    message.send()


def send_owner_notice(registration_pk: int) -> None:
    """Tell the event's contact (``contact.email_address``) of a new registration, when ``notify_owner_on_reg`` asks."""
    registration = Registration.objects.select_related("track__event").get(pk=registration_pk)
    event = registration.track.event
    owner = (event.contact or {}).get("email_address")
    if not event.notify_owner_on_reg or not owner:
        return
    context = {"event": event, "registration": registration, "line_items": list(registration.line_items.all())}
    EmailMultiAlternatives(
        subject=f"New registration for {event.title}: {registration.first_name} {registration.last_name}".strip(),
        body=render_to_string("v3/events/email/owner_notice.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[owner],
    ).send()
