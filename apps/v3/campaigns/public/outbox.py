"""``/m/outbox/``: the messages the embedded outbox backend holds, for a person running ``make run``.

Only while the outbox (ctctdash/outbox.py) is the email backend; with a real mail server the
pages do not exist (404). A message's HTML is served as a page of its own, sandboxed by its
Content-Security-Policy (no scripts, no forms; links open), so its tracked links and open pixel
reach the public mail pages exactly as from a mail client.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ctctdash import outbox

# Newest messages the list shows: a campaign to many contacts would otherwise make one huge page.
SHOWN = 50
# The message's own page: its HTML, no script, no plugin, no form; links may open a new tab or
# navigate the page when clicked (the click redirect), images load (the open pixel).
SANDBOX = "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"


def _require_outbox(request: HttpRequest) -> None:
    """The pages exist only while the outbox is the backend, and show only to the person running it.

    That is DEBUG (``make run``) or a staff user: a server deployed without ``EMAIL_URL`` keeps its
    mail in the outbox too, and every message there holds a recipient's personal links. Anyone
    else gets the 404 a missing page gets, so the outbox is not even known to exist.
    """
    if not outbox.in_use():
        raise Http404("The outbox is not the email backend.")
    if not (settings.DEBUG or (request.user.is_authenticated and request.user.is_staff)):
        raise Http404("The outbox shows only while DEBUG is on, or to staff.")


@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    """The newest messages: headers, text part, and the HTML in a sandboxed frame."""
    _require_outbox(request)
    context = {"messages": outbox.stored(SHOWN), "total": outbox.count(), "shown": SHOWN, "title": "Outbox"}
    return render(request, "v3/mail/outbox.html", context)


@require_GET
def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    """One message's HTML part as a page."""
    _require_outbox(request)
    message = outbox.find(name)
    if message is None:
        raise Http404("No such message in the outbox.")
    response = HttpResponse(message.html or "<p>(This message has no HTML part.)</p>")
    response["Content-Security-Policy"] = SANDBOX
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
