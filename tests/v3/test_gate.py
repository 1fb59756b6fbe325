"""The gate on every operation: tokens, scopes, privileges, account scoping, rate limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from apps.v3.account.models import Role
from apps.v3.contract import validate_django_response

PRIVILEGES = "/v3/account/user/privileges"


def _get(token: str | None, path: str = PRIVILEGES, header: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": header if header is not None else f"Bearer {token}"} if (token or header) else {}
    response = Client().get(path, **headers)
    validate_django_response(response)
    return response


@pytest.mark.django_db
def test_missing_and_malformed_tokens_get_the_401_object() -> None:
    for header in (None, "Basic abc", "Bearer", "Bearer not-a-jwt"):
        response = _get(None, header=header)
        assert response.status_code == 401
        assert response.json()["error_key"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_and_revoked_tokens_are_refused(make_api) -> None:  # type: ignore[no-untyped-def]
    api = make_api()
    assert _get(api.token).status_code == 200
    AccessToken.objects.filter(user=api.membership.user).update(expires=timezone.now() - timedelta(seconds=1))
    response = _get(api.token)
    assert response.status_code == 401 and "expired" in response.json()["error_message"]
    other = make_api()
    AccessToken.objects.filter(user=other.membership.user).delete()
    response = _get(other.token)
    assert response.status_code == 401 and "revoked" in response.json()["error_message"]


def test_privileges_follow_the_role(make_api) -> None:  # type: ignore[no-untyped-def]
    owner = make_api().get("/account/user/privileges").json()
    viewer = make_api(role=Role.REPORTS_VIEWER).get("/account/user/privileges").json()
    assert {p["privilege_name"] for p in owner} >= {"account:update", "campaign:send", "contacts:write"}
    assert "contacts:write" not in {p["privilege_name"] for p in viewer}
    assert all(isinstance(p["privilege_id"], int) for p in owner)


def test_rate_limit_per_second_is_throttled(make_api, settings) -> None:  # type: ignore[no-untyped-def]
    settings.V3_RATE_LIMIT_PER_SECOND = 2
    api = make_api()
    responses = [api.get("/account/user/privileges") for _ in range(6)]
    refused = [r for r in responses if r.status_code == 429]
    assert refused, [r.status_code for r in responses]
    assert {r.json()[0]["error_key"] for r in refused} == {"throttled"}
    assert all(r["Retry-After"] == "1" for r in refused)


def test_daily_quota_is_quota_exceeded(make_api, settings) -> None:  # type: ignore[no-untyped-def]
    settings.V3_RATE_LIMIT_PER_DAY = 3
    api = make_api()
    statuses = [api.get("/account/user/privileges").status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
    assert api.get("/account/user/privileges").json()[0]["error_key"] == "quota_exceeded"
