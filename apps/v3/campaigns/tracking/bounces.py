"""Bounces: the spec's bounce code for an SMTP failure, its tracking row, and undeliverable addresses.

The codes are the reports' (``BouncesTrackingActivity.bounce_code``, counted as ``em_bounces_*``):
B non-existent, D undeliverable, F mailbox full, S suspended, V vacation, X other, Z blocked.
How a failure maps to a code is docs/decisions/campaigns.md#bounce-codes-from-smtp-replies.
"""

from __future__ import annotations

import re

from django.db import transaction

from apps.v3.campaigns.models import CampaignActivity, EventKind, Send, SendStatus, TrackingEvent, Undeliverable
from apps.v3.contacts.models import Contact

NONEXISTENT = "B"
UNDELIVERABLE = "D"
FULL = "F"
SUSPENDED = "S"
VACATION = "V"
OTHER = "X"
BLOCKED = "Z"

# The reports' count of each code (StatsEmailActivity's em_bounces_* fields).
STATS_FIELDS = {
    NONEXISTENT: "em_bounces_nonexistent_address",
    UNDELIVERABLE: "em_bounces_undeliverable",
    FULL: "em_bounces_mailbox_full",
    SUSPENDED: "em_bounces_suspended",
    VACATION: "em_bounces_vacation",
    OTHER: "em_bounces_other",
    BLOCKED: "em_bounces_blocked",
}

# Codes after which mailing the address again is pointless: it does not exist, is suspended, or
# the receiving system gave up on it for good. Later sends skip these addresses.
HARD_CODES = frozenset({NONEXISTENT, SUSPENDED, UNDELIVERABLE})

_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")

# RFC 3463 enhanced status codes, subject.detail -> bounce code (the class, 4 or 5, matters below).
_BY_STATUS = {
    (1, 1): NONEXISTENT,  # bad destination mailbox address
    (1, 3): NONEXISTENT,  # bad destination mailbox address syntax
    (1, 6): NONEXISTENT,  # destination mailbox has moved
    (1, 10): NONEXISTENT,  # recipient address has null MX
    (2, 1): SUSPENDED,  # mailbox disabled, not accepting messages
    (2, 2): FULL,  # mailbox full
    (3, 1): FULL,  # mail system full
}

# Reply texts that name a cause when the codes do not (many servers answer a bare 550).
_BY_TEXT = [
    (re.compile(r"vacation|out of (the )?office|auto-?reply|autoresponder", re.I), VACATION),
    (re.compile(r"spam|blocked|block ?list|blacklist|reputation|policy|rejected for", re.I), BLOCKED),
    (re.compile(r"quota|mailbox (is )?full|insufficient storage|storage allocation", re.I), FULL),
    (re.compile(r"disabled|suspended|inactive|deactivated", re.I), SUSPENDED),
    (
        re.compile(
            r"user unknown|unknown user|no such (user|mailbox|recipient)|does not exist|doesn't exist|"
            r"unknown (recipient|mailbox)|invalid (recipient|mailbox)|recipient rejected|not found",
            re.I,
        ),
        NONEXISTENT,
    ),
]


def bounce_code(smtp_code: int, diagnostic: str) -> str:
    """The spec's bounce code for an SMTP reply code and its diagnostic text."""
    if match := _ENHANCED.search(diagnostic):
        klass, subject, detail = (int(group) for group in match.groups())
        if klass == 2:
            return VACATION if _BY_TEXT[0][0].search(diagnostic) else OTHER
        if code := _BY_STATUS.get((subject, detail)):
            return code
        if subject == 7:  # security or policy status: the receiver refused the message
            return BLOCKED
        if subject == 4 or (subject == 1 and detail == 2):  # routing, no answer, delivery time expired
            return UNDELIVERABLE
    for pattern, code in _BY_TEXT:
        if pattern.search(diagnostic):
            return code
    if smtp_code in (550, 551, 553):
        return NONEXISTENT
    if smtp_code == 552:
        return FULL
    if 400 <= smtp_code < 500:  # a temporary failure reported as final: the retries ran out
        return UNDELIVERABLE
    return OTHER


def _reason(smtp_code: int, diagnostic: str) -> str:
    """The bounce row's reason: the reply as the server gave it, its code in front once."""
    diagnostic = " ".join(diagnostic.split())
    reply = diagnostic if diagnostic.startswith(str(smtp_code)) else f"{smtp_code} {diagnostic}"
    return reply.strip()[:255]


def record_bounce(
    activity: CampaignActivity, contact: Contact, address: str, smtp_code: int, diagnostic: str, *, final: bool = True
) -> None:
    """Record that ``activity``'s copy to ``contact`` at ``address`` bounced.

    One bounce row per (activity, contact, code): a report ingested twice counts once. Hard
    bounces also make the address undeliverable for the account, so later sends skip it — but
    only a ``final`` failure: a 4xx refusal at send time (greylisting, a full queue) says "try
    later", not "never", so it is this copy's bounce and leaves the address mailable
    (docs/decisions/campaigns.md#temporary-refusals-never-block-an-address).
    """
    code = bounce_code(smtp_code, diagnostic)
    account_id = contact.account_id
    with transaction.atomic():
        already = TrackingEvent.objects.filter(
            activity=activity, contact=contact, kind=EventKind.BOUNCE, bounce_code=code
        ).exists()
        if not already:
            TrackingEvent.objects.create(
                account_id=account_id,
                activity=activity,
                contact=contact,
                kind=EventKind.BOUNCE,
                bounce_code=code,
                reason=_reason(smtp_code, diagnostic),
            )
        if code != VACATION:  # an autoreply means the copy was delivered
            Send.objects.filter(activity=activity, contact=contact).update(status=SendStatus.BOUNCED)
        if final and code in HARD_CODES and address:
            Undeliverable.objects.bulk_create(
                [Undeliverable(account_id=account_id, email_address=address.lower(), bounce_code=code)],
                ignore_conflicts=True,
            )
