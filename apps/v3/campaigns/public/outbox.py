"""``/m/outbox/``: the messages the embedded outbox backend holds, for a person running ``make run``.

Only while the outbox (ctctdash/outbox.py) is the email backend; with a real mail server the
pages do not exist (404). A message's HTML is served as a page of its own, sandboxed by its
Content-Security-Policy (no scripts, no forms; links open), so its tracked links and open pixel
reach the public mail pages exactly as from a mail client.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ctctdash import outbox

# Newest messages the list shows: a campaign to many contacts would otherwise make one huge page.
SHOWN = 50
# The message's own page: its HTML, no script, no plugin, no form; links may open a new tab or
# navigate the page when clicked (the click redirect), images load (the open pixel).
SANDBOX = "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"


def _require_outbox() -> None:
    if not outbox.in_use():
        raise Http404("The outbox is not the email backend.")


@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    """The newest messages: headers, text part, and the HTML in a sandboxed frame."""
    _require_outbox()
    context = {"messages": outbox.stored(SHOWN), "total": outbox.count(), "shown": SHOWN, "title": "Outbox"}
    return render(request, "v3/mail/outbox.html", context)


@require_GET
def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    """One message's HTML part as a page."""
    _require_outbox()
    message = outbox.find(name)
    if message is None:
        raise Http404("No such message in the outbox.")
    response = HttpResponse(message.html or "<p>(This message has no HTML part.)</p>")
    response["Content-Security-Policy"] = SANDBOX
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
