"""The public event pages (no login): the registration page, a registration's confirmation, a ticket."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from apps.v3.events.models import Event, EventStatus, Registration, Ticket, TicketStatus
from apps.v3.events.public.forms import RegistrationForm
from apps.v3.events.services import registering
from apps.v3.events.tickets.links import confirmation_path, confirmation_token, read_confirmation_token, ticket_url
from apps.v3.events.tickets.money import money
from apps.v3.events.tickets.qr import qr_svg
from apps.v3.events.tickets.times import local, zone_abbreviation
from apps.v3.reporting.rollups import landing_pages

# Only published events have public pages; a DRAFT is the owner's own (and a DELETED one is gone).
PUBLIC_STATUSES = (EventStatus.ACTIVE, EventStatus.COMPLETE, EventStatus.CANCELLED)


def _event_context(event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "starts": local(event.event_start, event.time_zone),
        "ends": local(event.event_end, event.time_zone),
        "zone": zone_abbreviation(event.time_zone, event.event_start),
        "where": _where(event),
    }


def _where(event: Event) -> str:
    """The venue and address in one line; "Online event" for a virtual one without an address."""
    address = event.address or {}
    parts = [address.get(k) for k in ("location_name", "line1", "city")]
    parts.append(address.get("state_code") or address.get("state"))
    line = ", ".join(str(p) for p in parts if p)
    return line or ("Online event" if event.location_type == "VIRTUAL" else "")


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, key: str) -> HttpResponse:
    """The event's landing page and form: GET shows it, POST registers (303 to the confirmation).

    A form with errors answers 400 and a sold-out or closed refusal 409, each with the page and the
    error at its field (docs/decisions/events.md#public-pages-and-their-addresses).
    """
    event = registering.find_open_page(key)
    if event is None or event.status not in PUBLIC_STATUSES:
        raise Http404("No such event")
    track = event.track
    if request.method == "GET":
        # A contact a campaign's tracked link brought here: an open of this landing page.
        page = landing_pages.Page(event.account_id, track.campaign_activity_id)
        landing_pages.record_visit(page, request.GET.get(landing_pages.RECIPIENT_PARAM), _agent(request))
    closed = registering.closed_reason(event, track)
    tickets, items = registering.ticket_choices(track), registering.item_choices(track)
    data = request.POST if request.method == "POST" else None  # an empty POST is a form with errors
    form = RegistrationForm(data, track=track, tickets=tickets, items=items)
    status = 200
    if request.method == "POST" and not closed and track.seats_remaining > 0:
        if form.is_valid():
            try:
                registration = registering.register(event, form.order())
            except registering.Refused as refusal:
                form.add_error(form.field_for(refusal.field), refusal.message)
                status = 409
            else:
                # A path, not the configured site URL: the page answers on whichever host it was reached by.
                return HttpResponseRedirect(confirmation_path(registration), status=303)
        else:
            status = 400
        track.refresh_from_db()
        closed = registering.closed_reason(event, track)
    elif request.method == "POST":
        status = 409
    context = {
        **_event_context(event),
        "form": form,
        "closed": closed,
        "sold_out": not closed and track.seats_remaining == 0,
        "remaining": track.seats_remaining,
        "title": event.title,
    }
    return render(request, "v3/events/register.html", context, status=status)


def _agent(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")


def _confirmation_page(registration: Registration) -> landing_pages.Page | None:
    """The confirmation's landing page, when the event has that activity and the registration a contact."""
    activity_id = registration.track.conf_email_campaign_activity_id
    if activity_id is None or registration.contact_id is None:
        return None
    return landing_pages.Page(registration.account_id, activity_id)


def _ticket_entries(registration: Registration, page: landing_pages.Page | None) -> list[dict[str, Any]]:
    entries = []
    token = confirmation_token(registration)
    for ticket in registration.ticket_rows.all():
        url = ticket_url(ticket)
        label = f"QR code of ticket {ticket.order_ticket_key}"
        # The page's links go through its tracked redirect, so a click is reported (the QR code stays direct).
        href = (
            url if page is None else reverse("v3-events:link", args=[token, landing_pages.tracked_link(page, url).pk])
        )
        entries.append({"ticket": ticket, "url": url, "href": href, "qr": qr_svg(url, label)})
    return entries


@never_cache
@require_GET
def confirmation(request: HttpRequest, token: str) -> HttpResponse:
    """A registration's confirmation: its order and each ticket's QR code (the link in the confirmation email)."""
    registration_id = read_confirmation_token(token)
    registration = (
        Registration.objects.select_related("track__event").filter(registration_id=registration_id).first()
        if registration_id
        else None
    )
    if registration is None:
        raise Http404("No such registration")
    event = registration.track.event
    page = _confirmation_page(registration)
    if page is not None and registration.contact_id is not None:
        landing_pages.record_open(page, registration.contact_id, _agent(request))
    currency = event.currency_type
    lines = [{"line": line, "amount": money(line.amount, currency)} for line in registration.line_items.all()]
    context = {
        **_event_context(event),
        "registration": registration,
        "lines": lines,
        "total": money(registration.total, currency),
        "tickets": _ticket_entries(registration, page),
        "title": f"You are registered for {event.title}"
        if registration.registration_status == "REGISTERED"
        else f"Your registration for {event.title}",
    }
    return render(request, "v3/events/confirmation.html", context)


@never_cache
@require_GET
def link(request: HttpRequest, token: str, url_id: int) -> HttpResponse:
    """A tracked link of a confirmation page: records the registrant's click and redirects to the link."""
    registration_id = read_confirmation_token(token)
    registration = (
        Registration.objects.select_related("track").filter(registration_id=registration_id).first()
        if registration_id
        else None
    )
    page = _confirmation_page(registration) if registration is not None else None
    found = landing_pages.find_link(page, url_id) if page is not None else None
    if registration is None or page is None or found is None or registration.contact_id is None:
        raise Http404("No such link")
    landing_pages.record_click(page, registration.contact_id, found, _agent(request))
    return HttpResponseRedirect(found.url)


@never_cache
@require_GET
def ticket(request: HttpRequest, key: str) -> HttpResponse:
    """One ticket, as staff see it after scanning its QR code: whose it is, and whether it is valid and checked in."""
    found = Ticket.objects.select_related("registration__track__event").filter(order_ticket_key=key.lower()).first()
    if found is None:
        raise Http404("No such ticket")
    registration = found.registration
    event = registration.track.event
    url = ticket_url(found)
    context = {
        **_event_context(event),
        "ticket": found,
        "registration": registration,
        "valid": found.status == TicketStatus.ACTIVE and registration.registration_status == "REGISTERED",
        "checked_in": local(found.checked_in_time, event.time_zone) if found.checked_in_time else None,
        "qr": qr_svg(url, f"QR code of ticket {found.order_ticket_key}"),
        "title": f"Ticket {found.order_ticket_key}",
    }
    return render(request, "v3/events/ticket.html", context)
