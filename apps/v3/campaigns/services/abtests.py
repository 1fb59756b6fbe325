"""A/B tests of a primary email's subject: create, read and delete, switching the campaign's type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.campaigns.models import ABTest, ActivityStatus, EmailCampaign
from apps.v3.campaigns.services import content
from apps.v3.campaigns.services.activities import find_primary
from apps.v3.gate.errors import V3Error, bad_request, conflict, not_found

MIN_TEST_SIZE, MAX_TEST_SIZE = 5, 50
WAIT_HOURS = (6, 12, 24, 48)
# The campaign's type while it carries an A/B test, and without one.
AB_TEST = ("AB_TEST", 57)
NEWSLETTER = ("NEWSLETTER", 10)


def _not_draft(status: str) -> V3Error:
    return conflict(f"current_status: A/B tests can only change while the campaign is a draft; it is {status}")


def find_abtest(account: Account, campaign_activity_id: Any) -> ABTest:
    """The primary email's A/B test; 404 when it has none."""
    primary = find_primary(account, campaign_activity_id)
    abtest = ABTest.objects.filter(activity=primary).first()
    if abtest is None:
        raise not_found(f"Activity {campaign_activity_id} has no A/B test.")
    return abtest


def _set_type(campaign: EmailCampaign, kind: tuple[str, int]) -> None:
    EmailCampaign.objects.filter(pk=campaign.pk).update(type=kind[0], type_code=kind[1], updated_at=timezone.now())


def create_abtest(account: Account, campaign_activity_id: Any, body: Mapping[str, Any]) -> ABTest:
    """An A/B test on a DRAFT primary email (409 otherwise, or when it has one); the campaign becomes type 57."""
    subject = content.text(body, "alternative_subject", required=True)
    test_size, wait = body["test_size"], body["winner_wait_duration"]
    if not MIN_TEST_SIZE <= test_size <= MAX_TEST_SIZE:
        raise bad_request(f"test_size: must be from {MIN_TEST_SIZE} to {MAX_TEST_SIZE} (percent)")
    if wait not in WAIT_HOURS:
        raise bad_request(f"winner_wait_duration: must be one of {', '.join(map(str, WAIT_HOURS))} (hours)")
    exists = conflict("This activity already has an A/B test; delete it to create another.")
    with transaction.atomic():
        primary = find_primary(account, campaign_activity_id, lock=True)
        if primary.current_status != ActivityStatus.DRAFT:
            raise _not_draft(primary.current_status)
        if ABTest.objects.filter(activity=primary).exists():
            raise exists
        try:
            with transaction.atomic():
                abtest = ABTest.objects.create(
                    activity=primary, alternative_subject=subject, test_size=test_size, winner_wait_duration=wait
                )
        except IntegrityError:  # the one-to-one row went to a concurrent request
            raise exists from None
        _set_type(primary.campaign, AB_TEST)
    return abtest


def delete_abtest(account: Account, campaign_activity_id: Any) -> None:
    """Delete a draft's A/B test (409 once scheduled or sent); the campaign is a newsletter (10) again."""
    with transaction.atomic():
        primary = find_primary(account, campaign_activity_id, lock=True)
        abtest = ABTest.objects.filter(activity=primary).first()
        if abtest is None:
            raise not_found(f"Activity {campaign_activity_id} has no A/B test.")
        if primary.current_status != ActivityStatus.DRAFT:
            raise _not_draft(primary.current_status)
        abtest.delete()
        _set_type(primary.campaign, NEWSLETTER)
