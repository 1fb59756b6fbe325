"""Public SMS pages (no token): a short link's redirect, the gateway's reply webhook, the staff campaign list."""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from apps.v3.sms.backends import outbox
from apps.v3.sms.models import SmsCampaign
from apps.v3.sms.services import is_stop, record_click, record_stop

# The staff page's newest campaigns and outbox texts: enough to follow a send during development.
SHOWN = 50


@require_GET
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """Record the click and redirect to the link's address (302: each click must reach us again)."""
    url = record_click(code)
    if url is None:
        raise Http404("No such link.")
    return HttpResponseRedirect(url)


def _reply_fields(request: HttpRequest) -> tuple[str, str]:
    """The sender's number and the text of a reply, from a form post (``From``/``Body``) or JSON (``from``/``body``)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return "", ""
        return str(data.get("from") or ""), str(data.get("body") or "")
    return request.POST.get("From") or request.POST.get("from") or "", request.POST.get("Body") or request.POST.get(
        "body"
    ) or ""


@csrf_exempt  # called by an SMS gateway, never by a browser holding a session
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    """A reply the gateway received: STOP (and its synonyms) unsubscribes the sender; others are ignored.

    A reply that is not a STOP, or from a number never texted, is still a 200: a gateway retries
    anything else, and there is nothing to retry.
    """
    expected = settings.CTCTDASH_SMS_INBOUND_TOKEN
    if expected and not secrets.compare_digest(request.GET.get("token", ""), expected):
        raise PermissionDenied("Wrong or missing token.")
    number, body = _reply_fields(request)
    if not number.strip():
        return HttpResponseBadRequest("From: the sender's number is required.", content_type="text/plain")
    opted_out = record_stop(number, body) if is_stop(body) else 0
    return HttpResponse(json.dumps({"opted_out": opted_out}), content_type="application/json")


@require_GET
def campaigns(request: HttpRequest) -> HttpResponse:
    """Staff (or DEBUG) only: the newest SMS campaigns of every account with their counts, and the outbox."""
    if not (settings.DEBUG or (request.user.is_authenticated and request.user.is_staff)):
        raise Http404("Staff only.")
    rows = SmsCampaign.objects.select_related("account").order_by("-id")[:SHOWN]
    texts = outbox.stored(SHOWN) if outbox.in_use() else []
    return render(request, "v3/sms/campaigns.html", {"campaigns": rows, "texts": texts, "title": "SMS campaigns"})
