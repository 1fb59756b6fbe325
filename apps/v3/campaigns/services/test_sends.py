"""Test sends and previews of an activity: its copy for no contact, mailed at once or returned.

Test sends process no merge fields (the operation says so) and previews fill them in with the
account owner's details (docs/decisions/campaigns.md#test-sends, #previews); neither is tracked.
"""

from __future__ import annotations

import html
import smtplib
from collections.abc import Mapping
from datetime import timedelta
from email.utils import formataddr
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.campaigns.models import CampaignActivity, TestSendLog
from apps.v3.campaigns.rendering.copy import Copy, Renderer
from apps.v3.campaigns.services.activities import find_activity, find_primary
from apps.v3.contacts.models import Contact
from apps.v3.gate.errors import V3Error, bad_request

# The operation's allowance: 50 test emails a day, each address counting as one.
DAILY_TEST_SENDS = 50
TEST_SEND_WINDOW = timedelta(hours=24)
TEST_SUBJECT_PREFIX = "[Test] "


def _addresses(body: Mapping[str, Any]) -> list[str]:
    """The body's ``email_addresses`` (its schema checked the array): valid, distinct, lower-cased."""
    addresses: list[str] = []
    for i, raw in enumerate(body["email_addresses"]):
        address = raw.strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            raise bad_request(f"email_addresses[{i}]: {raw!r} is not a valid email address") from None
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise bad_request("email_addresses: at least one email address is required")
    return addresses


def _with_personal_message(copy: Copy, message: str) -> tuple[str, str]:
    """The copy's HTML and text with the sender's personal message above the content."""
    if not message.strip():
        return copy.html, copy.text
    box = (
        '<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;padding:12px;margin:0 0 12px;'
        'border:1px solid #d0d0d0;background:#f7f7f7">' + html.escape(message).replace("\n", "<br>") + "</div>"
    )
    lowered = copy.html.lower()
    start = lowered.find("<body")
    at = lowered.find(">", start) + 1 if start != -1 else 0
    return copy.html[:at] + box + copy.html[at:], f"{message.strip()}\n\n----------\n\n{copy.text}"


def send_test(account: Account, campaign_activity_id: Any, body: Mapping[str, Any]) -> None:
    """``POST .../tests``: mail the primary email to up to 5 addresses, within the daily allowance.

    The allowance is counted over the last 24 hours in ``TestSendLog``, with the account row locked
    so that two requests cannot both fit in what is left. Nothing is logged when the mail fails.
    """
    activity = find_primary(account, campaign_activity_id)
    addresses = _addresses(body)
    message = body.get("personal_message") or ""
    if not isinstance(message, str):
        raise bad_request("personal_message: must be a string")
    copy = Renderer(activity, tracked=False, personal=False).copies([Contact(account_id=account.pk)])[0]
    html_part, text_part = _with_personal_message(copy, message)
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()
        since = timezone.now() - TEST_SEND_WINDOW
        used = TestSendLog.objects.filter(account=account, sent_at__gte=since).aggregate(n=Sum("addresses"))["n"] or 0
        if used + len(addresses) > DAILY_TEST_SENDS:
            left = max(0, DAILY_TEST_SENDS - used)
            raise V3Error(
                429,
                "quota_exceeded",
                f"Test emails are limited to {DAILY_TEST_SENDS} addresses a day; {left} left, "
                f"{len(addresses)} asked for.",
            )
        TestSendLog.objects.create(account=account, activity=activity, addresses=len(addresses))
        mail = EmailMultiAlternatives(
            TEST_SUBJECT_PREFIX + copy.subject,
            text_part,
            from_email=formataddr((activity.from_name, activity.from_email)) if activity.from_email else None,
            to=addresses,
            reply_to=[activity.reply_to_email] if activity.reply_to_email else None,
            connection=get_connection(),
        )
        mail.attach_alternative(html_part, "text/html")
        try:
            mail.send()
        except (smtplib.SMTPException, OSError) as exc:
            # The operation declares no 503: its 500 says the service could not do it. The log row
            # goes with the transaction, so a failed test send costs nothing of the allowance.
            raise V3Error(500, "api.internal.error", "The test email could not be sent; try again.") from exc


def owner_as_contact(account: Account) -> Contact:
    """The account owner's details in a contact's shape, for the preview's merge fields."""
    return Contact(
        account_id=account.pk,
        first_name=account.first_name,
        last_name=account.last_name,
        email_address=account.contact_email,
        company_name=account.organization_name,
    )


def preview(account: Account, campaign_activity_id: Any) -> tuple[CampaignActivity, Copy]:
    """``GET .../previews``: the activity and its copy for the account owner, untracked."""
    activity = find_activity(account, campaign_activity_id)
    activity.campaign.account = account  # the footer reads the account; it is this one
    return activity, Renderer(activity, tracked=False).copies([owner_as_contact(account)])[0]
