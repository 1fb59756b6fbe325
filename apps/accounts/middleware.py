"""Middleware: a session cookie of its own for the built-in authorization server, and connection errors
(a token that stopped working, or a Constant Contact service that cannot answer right now)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling, reswap, retarget

from apps.ctct import CtctError, QuotaExceeded, RefreshLockTimeout, ServerError, Throttled, Unauthorized

from .services import REQUEST_CONNECTION_ATTR, NoActiveConnection, mark_needs_reconnect


class ServiceSessionCookieMiddleware:
    """Pages of the built-in authorization server use their own session cookie.

    Constant Contact's authorization server is another origin (authz.constantcontact.com) than any
    app signing in with it, so signing in there never touches the app's session. Here one site
    serves both; sharing one cookie would make a service sign-in at ``/oauth2/login/`` replace
    the dashboard's signed-in user, and a signed-in dashboard user would reach the consent page
    as themselves (a user with no Constant Contact account) instead of signing in there. Under
    ``CTCTDASH_SERVICE_SESSION_PATHS`` the cookie ``CTCTDASH_SERVICE_SESSION_COOKIE_NAME``
    stands in for ``SESSION_COOKIE_NAME`` in both directions; the dashboard's is not sent on.
    Placed before SessionMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(tuple(settings.CTCTDASH_SERVICE_SESSION_PATHS)):
            return self.get_response(request)
        main, own = settings.SESSION_COOKIE_NAME, settings.CTCTDASH_SERVICE_SESSION_COOKIE_NAME
        request.COOKIES.pop(main, None)
        if own in request.COOKIES:
            request.COOKIES[main] = request.COOKIES.pop(own)
        response = self.get_response(request)
        morsel = response.cookies.pop(main, None)
        if morsel is not None:
            response.cookies[own] = morsel.value
            for attribute, value in morsel.items():  # expiry, path, secure, httponly, samesite ...
                if value:
                    response.cookies[own][attribute] = value
        return response


class ConnectionErrorMiddleware:
    """A revoked token leads to the reconnect page; no connection yet leads to the workspace page.

    ``Unauthorized`` reaches here only after the client's refresh has failed too, so the token is
    gone for good: the connection is marked, and the user is told how to reconnect it. htmx
    requests get an ``HX-Redirect`` so the whole page changes, not a fragment. A service that
    cannot answer (``SERVICE_TROUBLE``) gets a page saying so; an htmx poll is left to try again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Unauthorized):
            connection = getattr(request, REQUEST_CONNECTION_ATTR, None)
            if connection is None:
                return None  # not a dashboard connection's client: let it surface as an error
            mark_needs_reconnect(connection)
            return _redirect(request, reverse("accounts:reconnect", args=[connection.pk]))
        if isinstance(exception, NoActiveConnection):
            messages.info(request, "Connect a Constant Contact account to get started.")
            return _redirect(request, reverse("accounts:workspace-list"))
        if isinstance(exception, SERVICE_TROUBLE):
            return _service_trouble(request, exception)
        return None


# What the API (or the way to it) may fail with for a while, whatever the page was doing: the
# user gets a page saying so instead of a server error of ours.
SERVICE_TROUBLE = (
    ServerError,
    Throttled,
    QuotaExceeded,
    requests.ConnectionError,
    requests.Timeout,
    RefreshLockTimeout,
)


# The header a polling element sends (``hx-headers``) to say its request is a poll; its value is the
# id of a live region inside the element where a note about the trouble may go.
POLL_HEADER = "Ctctdash-Poll"
_ELEMENT_ID = re.compile(r"[A-Za-z][\w-]{0,63}")


def _service_trouble(request: HttpRequest, exception: Exception) -> HttpResponse:
    busy = isinstance(exception, Throttled | QuotaExceeded)
    context = {
        "busy": busy,
        "today": isinstance(exception, QuotaExceeded),
        "detail": exception.error_message if isinstance(exception, CtctError) else "",
        "again": _way_back(request),
        # Data a form sent cannot ride on a link: the notice says so.
        "unsent_form": request.method not in ("GET", "HEAD"),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and POLL_HEADER in request.headers:
        return _poll_trouble(request, context)
    if htmx:
        # htmx swaps no error responses: the fragment says it in place of the page's content.
        response = render(request, "accounts/_service_trouble.html", context)
        return reswap(retarget(response, "#content"), "innerHTML")
    return render(request, "accounts/service_trouble.html", context, status=429 if busy else 503)


def _poll_trouble(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """A poll that met trouble swaps nothing, so the page stays as it was and the next poll may succeed.

    A note goes into the poll's live region (an out-of-band swap, which ``HX-Reswap: none``
    still performs); the poll's next answer replaces it. An exhausted daily quota will not
    clear in a second, so that poll stops (286) and its note says so.
    """
    region = request.headers[POLL_HEADER]
    context["region"] = region if _ELEMENT_ID.fullmatch(region) else ""
    content = render_to_string("accounts/_poll_trouble.html", context, request=request)
    response = HttpResponseStopPolling(content) if context["today"] else HttpResponse(content)
    return reswap(response, "none")


def _way_back(request: HttpRequest) -> str:
    """Where "Try again" leads: the page the user was on, on this site, as a GET."""
    htmx = getattr(request, "htmx", None)
    page = htmx.current_url_abs_path if htmx else None
    if page:
        return str(page)  # the page around the fragment htmx asked for
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    # A form's page is the one that sent it; a GET of the same URL is the next best guess.
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
        parts = urlsplit(referer)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return request.get_full_path()


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)
