"""Response bodies of what an activity carries besides its content: resends to non-openers, A/B tests."""

from __future__ import annotations

from typing import Any

from apps.v3.campaigns.models import ABTest, NonOpenerResend
from apps.v3.contacts.serializers.contacts import iso, present

# The id the spec gives a resend while its primary email is a draft.
DRAFT_ID = "DRAFT"


def resend_data(resend: NonOpenerResend, *, draft: bool, status: str | None) -> dict[str, Any]:
    """``ResendToNonOpenersObject`` (and an item of ``ResendToNonOpeners`` with ``resend_status``).

    ``delay_days`` appears when the delay is a whole number of days, as the spec says; the id is
    ``DRAFT`` while the primary email is one (docs/decisions/campaigns.md#resend-request-ids).
    """
    return present(
        resend_subject=resend.resend_subject,
        delay_days=resend.delay_days,
        delay_minutes=resend.delay_minutes,
        resend_date=iso(resend.resend_date),
        resend_request_id=DRAFT_ID if draft else str(resend.resend_request_id),
        resend_status=status,
    )


def abtest_data(abtest: ABTest) -> dict[str, Any]:
    """``ABTestData``."""
    return {
        "alternative_subject": abtest.alternative_subject,
        "test_size": abtest.test_size,
        "winner_wait_duration": abtest.winner_wait_duration,
    }
