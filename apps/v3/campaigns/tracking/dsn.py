"""Delivery-status notifications (bounce reports) matched to the sends they report on.

flufl.bounce's ``scan_message`` finds the permanently failed addresses in a report, RFC 3464 or
one of the common non-standard formats. The report's ``message/delivery-status`` part, when it has
one, gives each recipient's SMTP reply (``Diagnostic-Code``) and status; its returned headers
carry the copy's ``X-CTCT-Send`` token (or its Message-ID), which names the activity and contact
(docs/decisions/campaigns.md#matching-bounce-reports-to-sends).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr

from flufl.bounce import scan_message

from apps.v3.campaigns.models import CampaignActivity, Send
from apps.v3.campaigns.tracking.bounces import record_bounce
from apps.v3.campaigns.tracking.links import read_token
from apps.v3.contacts.models import Contact

# flufl.bounce logs each detector it tries at INFO: noise for every report ingested.
logging.getLogger("flufl.bounce").setLevel(logging.WARNING)

_SMTP_REPLY = re.compile(r"\b([245]\d\d)\b")
# The engine's Message-ID: <campaign_activity_id.contact_id@host>.
_MESSAGE_ID = re.compile(r"<([0-9a-f-]{36})\.([0-9a-f-]{36})@", re.IGNORECASE)


@dataclass(frozen=True)
class Failure:
    """One recipient the report says failed for good, with the server's reply."""

    address: str
    smtp_code: int
    diagnostic: str


@dataclass
class Report:
    """What a bounce report says: who failed, and which copy it returns the headers of."""

    failures: list[Failure] = field(default_factory=list)
    send_token: str = ""
    message_id: str = ""


@dataclass
class Outcome:
    """What ingesting one report did."""

    recorded: list[str] = field(default_factory=list)  # addresses whose bounce was recorded
    unmatched: list[str] = field(default_factory=list)  # failed addresses no send of ours explains


def _address(value: str) -> str:
    """The address of a ``Final-Recipient``/``Original-Recipient`` field (``rfc822; a@b``)."""
    _kind, _sep, rest = value.partition(";")
    return parseaddr((rest or value).strip())[1].lower()


def _recipient_fields(report: Message) -> dict[str, tuple[int, str]]:
    """Each failed recipient's SMTP code and diagnostic, from the ``message/delivery-status`` parts."""
    found: dict[str, tuple[int, str]] = {}
    for part in report.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = [block for block in payload if isinstance(block, Message)] if isinstance(payload, list) else []
        for block in blocks[1:]:  # the first block is about the message, the rest one per recipient
            if str(block.get("Action", "")).strip().lower() != "failed":
                continue
            address = _address(str(block.get("Original-Recipient") or block.get("Final-Recipient") or ""))
            status = str(block.get("Status", "")).strip()
            diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
            diagnostic = diagnostic.split(";", 1)[1].strip() if ";" in diagnostic else diagnostic
            reply = _SMTP_REPLY.search(diagnostic)
            code = int(reply.group(1)) if reply else (450 if status.startswith("4") else 550)
            if status and status not in diagnostic:
                diagnostic = f"{status} {diagnostic}".strip()
            found[address] = (code, diagnostic)
            final = _address(str(block.get("Final-Recipient", "")))
            found.setdefault(final, (code, diagnostic))
    return found


def _returned_headers(report: Message) -> Message | None:
    """The headers of the copy the report returns (``message/rfc822`` or ``text/rfc822-headers``)."""
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                return HeaderParser().parsestr(text.decode(errors="replace"))
    return None


def read_report(report: Message) -> Report:
    """The failures a report states and the headers it returns."""
    details = _recipient_fields(report)
    failed = sorted({address.decode(errors="replace").lower() for address in scan_message(report)})
    out = Report()
    for address in failed:
        code, diagnostic = details.get(address, (550, ""))
        out.failures.append(Failure(address, code, diagnostic))
    headers = _returned_headers(report)
    if headers is not None:
        out.send_token = str(headers.get("X-CTCT-Send", "")).strip()
        out.message_id = str(headers.get("Message-ID", "")).strip()
    return out


def _send_of(report: Report) -> tuple[CampaignActivity, Contact] | None:
    """The activity and contact the report's returned headers name, if they still exist."""
    recipient = read_token(report.send_token) if report.send_token else None
    if recipient is not None:
        activity = CampaignActivity.objects.filter(
            pk=recipient.activity_id, campaign__account_id=recipient.account_id
        ).first()
        contact = Contact.objects.filter(pk=recipient.contact_id, account_id=recipient.account_id).first()
    elif match := _MESSAGE_ID.search(report.message_id):
        try:
            activity_uuid, contact_uuid = uuid.UUID(match.group(1)), uuid.UUID(match.group(2))
        except ValueError:
            return None
        activity = (
            CampaignActivity.objects.select_related("campaign").filter(campaign_activity_id=activity_uuid).first()
        )
        contact = None
        if activity is not None:
            contact = Contact.objects.filter(contact_id=contact_uuid, account_id=activity.campaign.account_id).first()
    else:
        return None
    if activity is None or contact is None:
        return None
    return activity, contact


def ingest_report(report: Message) -> Outcome:
    """Record the bounces a report states for the copy it returns.

    Only the address the copy went to counts: a report that some other address failed (the
    recipient's own forwarding, say) says nothing about the contact's.
    """
    parsed = read_report(report)
    outcome = Outcome()
    send = _send_of(parsed) if parsed.failures else None
    if send is None:
        outcome.unmatched = [failure.address for failure in parsed.failures]
        return outcome
    activity, contact = send
    sent_to = Send.objects.filter(activity=activity, contact=contact).values_list("email_address", flat=True).first()
    mailed = (sent_to or contact.email_address).lower()
    for failure in parsed.failures:
        if failure.address != mailed:
            outcome.unmatched.append(failure.address)
            continue
        record_bounce(activity, contact, failure.address, failure.smtp_code, failure.diagnostic)
        outcome.recorded.append(failure.address)
    return outcome
