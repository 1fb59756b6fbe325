"""Pages that links mailed to contacts open in a browser, outside the ``/v3/`` API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.v3.contacts.services import consent
from apps.v3.contacts.services.resubscribe_link import link_lifetime_text, sender_name

# Each outcome's status and page title. A used link is a 200 that changes nothing, as the
# account-email link's is; a genuine link that can no longer act is a 409 (the contact changed) or
# a 410 (expired, or the contact deleted); anything else names no contact (404).
_PAGES = {
    consent.LinkOutcome.READY: (200, "Resubscribe?"),
    consent.LinkOutcome.CONFIRMED: (200, "You are resubscribed"),
    consent.LinkOutcome.ALREADY_SUBSCRIBED: (200, "Already subscribed"),
    consent.LinkOutcome.EXPIRED: (410, "Link expired"),
    consent.LinkOutcome.GONE: (410, "Contact no longer exists"),
    consent.LinkOutcome.CHANGED: (409, "Link no longer applies"),
    consent.LinkOutcome.INVALID: (404, "Link not recognized"),
}


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_resubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a resubscribe mail: GET shows the question, only the button's POST resubscribes.

    A GET changes nothing, because mail scanners follow links before the contact does.
    """
    if request.method == "POST":
        contact, outcome = consent.confirm_resubscribe(token)
    else:
        contact, outcome = consent.check_resubscribe_link(token)
    status, title = _PAGES[outcome]
    context = {
        "outcome": outcome.value,
        "title": title,
        "contact": contact,
        "sender": sender_name(contact.account) if contact is not None else "",
        "lifetime": link_lifetime_text(),
    }
    return render(request, "v3/confirm/resubscribe.html", context, status=status)
