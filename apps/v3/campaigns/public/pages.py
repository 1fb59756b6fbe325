"""The pages a mailed copy links to: open pixel, click redirect, forward, unsubscribe, permalink.

No token and no session: each URL carries the recipient's signed token (tracking.links), and a
token that does not verify is a 404 with nothing recorded. The pixel is the hot path (every
open of every copy): it reads no row and writes one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from apps.v3.campaigns.models import ActivityRole, ActivityStatus, CampaignActivity
from apps.v3.campaigns.rendering.copy import Renderer
from apps.v3.campaigns.tracking import recording
from apps.v3.campaigns.tracking.links import Recipient, read_token
from apps.v3.contacts.models import Contact
from apps.v3.reporting.rollups import landing_pages

# The smallest transparent GIF (1x1, one transparent colour): 43 bytes.
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
PERMALINK_POLICY = "sandbox allow-popups allow-popups-to-escape-sandbox; script-src 'none'; object-src 'none'"


def _recipient(token: str) -> Recipient:
    recipient = read_token(token)
    if recipient is None:
        raise Http404("link not recognized")
    return recipient


@never_cache
@require_GET
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The copy's 1x1 image: records an open with the device type its User-Agent names."""
    if not recording.record_open(_recipient(token), request.headers.get("User-Agent", "")):
        raise Http404("link not recognized")
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
@require_GET
def click(request: HttpRequest, token: str, url_id: int) -> HttpResponse:
    """A tracked link: records the click (and an open, when there was none) and redirects to the link."""
    recipient = _recipient(token)
    target = recording.click_target(recipient, url_id)
    if target is None:
        raise Http404("link not recognized")
    recording.record_click(recipient, target, request.headers.get("User-Agent", ""))
    # An event page of this service learns who arrived, for its landing-page report.
    return HttpResponseRedirect(landing_pages.carry_recipient(target.url, token))


def _rows(recipient: Recipient) -> tuple[CampaignActivity, Contact]:
    rows = recording.recipient_rows(recipient)
    if rows is None:
        raise Http404("link not recognized")
    return rows


def _sender(activity: CampaignActivity) -> str:
    return activity.from_name or activity.campaign.account.organization_name or activity.from_email


def _permalink_url(activity: CampaignActivity) -> str:
    permalink = activity.campaign.activities.filter(role=ActivityRole.PERMALINK).first()
    if permalink is None:
        return ""
    return settings.SITE_URL + reverse("v3-mail:permalink", args=[permalink.campaign_activity_id])


@never_cache
@require_GET
def forward(request: HttpRequest, token: str) -> HttpResponse:
    """Forward to a friend: records a forward and offers the email's permalink to share."""
    recipient = _recipient(token)
    activity, _contact = _rows(recipient)
    recording.record_forward(recipient)
    context = {
        "title": "Forward this email",
        "subject": activity.subject,
        "sender": _sender(activity),
        "permalink": _permalink_url(activity),
    }
    return render(request, "v3/mail/forward.html", context)


@csrf_exempt  # RFC 8058: the one-click POST comes from the mail client, with no page and no CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a reason optional); POST opts the contact out, the page's form or RFC 8058's one-click.

    A GET changes nothing, because mail scanners follow links before the contact does. The token
    is the recipient's own secret, so the form needs no CSRF token to be safe.
    """
    recipient = _recipient(token)
    activity, contact = _rows(recipient)
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") == "One-Click":
            recording.unsubscribe(recipient)
            return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
        recording.unsubscribe(recipient, request.POST.get("reason", ""))
        outcome = "done"
    else:
        outcome = "done" if contact.permission_to_send == "unsubscribed" else "ask"
    context = {
        "title": "Unsubscribe" if outcome == "ask" else "You are unsubscribed",
        "outcome": outcome,
        "email": contact.email_address,
        "sender": _sender(activity),
    }
    return render(request, "v3/mail/unsubscribe.html", context)


@never_cache
@require_GET
def permalink(request: HttpRequest, campaign_activity_id: uuid.UUID) -> HttpResponse:
    """The campaign's content for anyone with the link: the primary email with no recipient's details."""
    page = (
        CampaignActivity.objects.select_related("campaign__account")
        .filter(
            campaign_activity_id=campaign_activity_id,
            role=ActivityRole.PERMALINK,
            campaign__deleted_at__isnull=True,
        )
        .exclude(current_status=ActivityStatus.REMOVED)
        .first()
    )
    primary = None
    if page is not None:
        primary = page.campaign.activities.filter(role=ActivityRole.PRIMARY_EMAIL).first()
    if page is None or primary is None:
        raise Http404("no such email")
    primary.campaign = page.campaign  # the account is loaded already
    copy = Renderer(primary, tracked=False).copies([Contact(account_id=page.campaign.account_id)])[0]
    response = HttpResponse(copy.html, content_type="text/html; charset=utf-8")
    # The account wrote this HTML, and it is served from the dashboard's origin: sandboxed (no
    # scripts, an opaque origin, no forms) it can show itself but reach nothing of the site.
    response["Content-Security-Policy"] = PERMALINK_POLICY
    return response
