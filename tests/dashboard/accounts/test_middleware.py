"""The accounts middleware: the service's own session cookie, and connection errors, on their own and
through the pages with a live service that really refuses (its rate limits lowered)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest, HttpResponse
from django.test import Client as PageClient
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from apps.accounts.middleware import ConnectionErrorMiddleware, ServiceSessionCookieMiddleware
from apps.accounts.models import Connection
from apps.accounts.services import REQUEST_CONNECTION_ATTR, NoActiveConnection
from apps.ctct import ErrorDetail, NotFound, QuotaExceeded, ServerError, Throttled, Unauthorized
from tests.dashboard.conftest import page_text

from .factories import ConnectionFactory


def echo_session_cookie(request: HttpRequest) -> HttpResponse:
    """A stand-in for SessionMiddleware and the view: shows the cookie it got, sets a new one."""
    response = HttpResponse(request.COOKIES.get("sessionid", "-"))
    response.set_cookie("sessionid", "set-by-view", httponly=True, samesite="Lax")
    return response


@pytest.mark.parametrize("path", ["/oauth2/login/", "/oauth2/default/v1/authorize", "/developer/applications/"])
def test_the_service_pages_see_only_their_own_session_cookie(rf: RequestFactory, path: str) -> None:
    middleware = ServiceSessionCookieMiddleware(echo_session_cookie)
    request = rf.get(path)
    request.COOKIES.update({"sessionid": "dashboard", "ctct_authz_sessionid": "service"})
    response = middleware(request)
    assert response.content == b"service"
    assert "sessionid" not in response.cookies  # the dashboard's cookie is left as it was
    morsel = response.cookies["ctct_authz_sessionid"]
    assert morsel.value == "set-by-view" and morsel["httponly"] and morsel["samesite"] == "Lax"
    alone = rf.get(path)
    alone.COOKIES["sessionid"] = "dashboard"
    assert middleware(alone).content == b"-", "a dashboard session is never a service session"


def test_other_pages_keep_the_usual_cookie(rf: RequestFactory) -> None:
    request = rf.get("/accounts/workspaces/")
    request.COOKIES.update({"sessionid": "dashboard", "ctct_authz_sessionid": "service"})
    response = ServiceSessionCookieMiddleware(echo_session_cookie)(request)
    assert response.content == b"dashboard" and response.cookies["sessionid"].value == "set-by-view"


def with_messages(request: HttpRequest) -> HttpRequest:
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def unauthorized() -> Unauthorized:
    return Unauthorized(401, [ErrorDetail("invalid_grant", "refresh token revoked")])


@pytest.mark.django_db
def test_unauthorized_marks_the_connection_and_redirects_to_reconnect(rf: RequestFactory) -> None:
    connection = ConnectionFactory()
    middleware = ConnectionErrorMiddleware(echo_session_cookie)
    request = with_messages(rf.get("/contacts/"))
    setattr(request, REQUEST_CONNECTION_ATTR, connection)
    response = middleware.process_exception(request, unauthorized())
    assert response is not None and response["Location"] == f"/accounts/reconnect/{connection.pk}/"
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.RECONNECT
    htmx = with_messages(rf.get("/contacts/", HTTP_HX_REQUEST="true"))
    htmx.htmx = True  # type: ignore[attr-defined]
    setattr(htmx, REQUEST_CONNECTION_ATTR, connection)
    response = middleware.process_exception(htmx, unauthorized())
    assert response is not None and response["HX-Redirect"] == f"/accounts/reconnect/{connection.pk}/"


def test_no_connection_leads_to_the_workspaces_page(rf: RequestFactory) -> None:
    request = with_messages(rf.get("/contacts/"))
    response = ConnectionErrorMiddleware(echo_session_cookie).process_exception(request, NoActiveConnection())
    assert response is not None and response["Location"] == "/accounts/workspaces/"
    assert [str(m) for m in request._messages] == ["Connect a Constant Contact account to get started."]  # type: ignore[attr-defined]


@pytest.mark.parametrize("error", [unauthorized(), NotFound(404), ValueError("x")])
def test_other_errors_are_left_alone(rf: RequestFactory, error: Any) -> None:
    # Unauthorized from a client no connection was recorded for is not a revoked connection.
    request = with_messages(rf.get("/contacts/"))
    assert ConnectionErrorMiddleware(echo_session_cookie).process_exception(request, error) is None


@pytest.mark.parametrize(
    ("error", "status", "says", "detail"),
    [
        (ServerError(503, [ErrorDetail("api.service_unavailable", "mail down")]), 503, "did not answer", "mail down"),
        (requests.ConnectionError("refused"), 503, "did not answer", None),
        (Throttled(429, [ErrorDetail("throttled", "slow down")]), 429, "Wait a few seconds", "slow down"),
        (QuotaExceeded(429, [ErrorDetail("quota_exceeded", "daily quota")]), 429, "Try again tomorrow", "daily quota"),
    ],
)
def test_a_service_that_cannot_answer_gets_a_page_saying_so(
    rf: RequestFactory, error: Exception, status: int, says: str, detail: str | None
) -> None:
    request = with_messages(rf.post("/contacts/new/"))
    request.user = AnonymousUser()
    response = ConnectionErrorMiddleware(echo_session_cookie).process_exception(request, error)
    assert response is not None and response.status_code == status
    page = response.content.decode()
    assert says in page and 'href="/contacts/new/">Try again' in page
    assert "What you sent may not have been saved." in page, "a failed POST says its form may be lost"
    # The service's own words when it gave any; a connection that failed has none to show.
    assert re.findall(r"The service said: [^<]*", page) == ([f"The service said: {detail}"] if detail else [])


def test_an_htmx_request_gets_the_notice_in_place_of_the_content(rf: RequestFactory) -> None:
    request = with_messages(
        rf.get("/jobs/1/progress/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/jobs/1/")
    )
    request.user = AnonymousUser()
    HtmxMiddleware(echo_session_cookie)(request)  # sets request.htmx as the real stack does
    error = ServerError(502, [ErrorDetail(None, "bad gateway")])
    response = ConnectionErrorMiddleware(echo_session_cookie).process_exception(request, error)
    # htmx swaps only successful responses: a 200 aimed at the page's content.
    assert response is not None and response.status_code == 200
    assert response["HX-Retarget"] == "#content" and response["HX-Reswap"] == "innerHTML"
    page = response.content.decode()
    assert "did not answer" in page and 'href="/jobs/1/"' in page and "<html" not in page
    assert "may not have been saved" not in page, "a GET sent no form"


# --- Through the pages, with a service that refuses ------------------------------------------------


def test_an_htmx_action_a_person_took_gets_the_notice_in_place_of_the_content(pages: PageClient, settings: Any) -> None:
    settings.V3_RATE_LIMIT_PER_DAY = 0  # the service refuses every call: the day's quota is spent
    response = pages.get(
        "/contacts/?q=ann", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/contacts/?q=an"
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#content" and response["HX-Reswap"] == "innerHTML"
    page = page_text(response)
    assert "Try again tomorrow" in page and "The service said: The application's daily request quota" in page
    assert 'href="/contacts/?q=an">Try again' in page, "back to the page the person was on"


@pytest.mark.parametrize(
    ("referer", "again"),
    [
        ("http://testserver/contacts/new/?from=list", "/contacts/new/?from=list"),
        # Another site's page is never linked; the form's own URL is the next best guess.
        ("https://elsewhere.example/contacts/new/", "/contacts/new/"),
        (None, "/contacts/new/"),
    ],
)
def test_a_form_that_failed_leads_back_to_its_page_and_says_it_may_be_lost(
    pages: PageClient, settings: Any, referer: str | None, again: str
) -> None:
    settings.V3_RATE_LIMIT_PER_DAY = 0
    extra = {"HTTP_REFERER": referer} if referer else {}
    response = pages.post("/contacts/new/", {"email_address": "dee@example.com"}, **extra)
    assert response.status_code == 429
    page = page_text(response)
    assert "Constant Contact is busy" in page and "What you sent may not have been saved." in page
    assert f'<a href="{again}">Try again</a>' in page
