"""Bounces: SMTP replies to the spec's bounce codes, and ``ingest_bounces`` on RFC 3464 reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from apps.v3.account.models import Account
from apps.v3.campaigns.models import (
    CampaignActivity,
    EventKind,
    Send,
    SendRun,
    SendStatus,
    TrackingEvent,
    Undeliverable,
)
from apps.v3.campaigns.rendering.copy import Renderer
from apps.v3.campaigns.tracking.bounces import STATS_FIELDS, bounce_code, record_bounce
from apps.v3.contacts.models import Contact
from apps.v3.contract import load_spec
from tests.v3.campaigns.rows import make_activity, make_contacts


@pytest.mark.parametrize(
    ("smtp_code", "diagnostic", "code"),
    [
        (550, "5.1.1 <ann@example.org>: Recipient address rejected: User unknown in virtual mailbox table", "B"),
        (550, "Requested action not taken: mailbox unavailable", "B"),
        (550, "No such user here", "B"),
        (552, "5.2.2 <ann@example.org>: mailbox full", "F"),
        (452, "4.2.2 The email account that you tried to reach is over quota", "F"),
        (550, "5.2.1 The email account that you tried to reach is disabled", "S"),
        (554, "5.7.1 Service unavailable; client host blocked using zen.spamhaus.org", "Z"),
        (550, "Message rejected as spam", "Z"),
        (451, "4.4.7 Delivery time expired", "D"),
        (550, "5.4.4 Unable to route", "D"),
        (421, "Try again later", "D"),
        (250, "2.0.0 Auto-reply: I am out of the office until Monday", "V"),
        (554, "Transaction failed", "X"),
    ],
)
def test_smtp_replies_map_to_bounce_codes(smtp_code: int, diagnostic: str, code: str) -> None:
    assert bounce_code(smtp_code, diagnostic) == code


def test_every_bounce_code_has_its_report_field() -> None:
    spec = load_spec()
    fields = {
        name
        for definition in spec["definitions"].values()
        for name in definition.get("properties", {})
        if name.startswith("em_bounces_")
    }
    assert set(STATS_FIELDS.values()) == fields
    codes = {"B", "D", "F", "S", "V", "X", "Z"}  # BouncesTrackingActivity.bounce_code's list
    assert set(STATS_FIELDS) == codes
    bounce_code_filter = next(
        p
        for p in spec["paths"]["/reports/email_reports/{campaign_activity_id}/tracking/bounces"]["get"]["parameters"]
        if p["name"] == "bounce_code"
    )
    assert set(bounce_code_filter["items"]["enum"]) <= codes


@pytest.fixture
def account(db: None) -> Account:
    return Account.objects.create(organization_name="Dog Lovers Inc")


@pytest.fixture
def activity(account: Account) -> CampaignActivity:
    return make_activity(account)


def sent(activity: CampaignActivity, contacts: list[Contact]) -> None:
    """Send rows for ``contacts``, as the engine writes them when the mail server accepted the copies."""
    run = SendRun.objects.create(activity=activity, send_id=1)
    Send.objects.bulk_create(
        [
            Send(activity=activity, contact=c, run=run, email_address=c.email_address, sent_at=run.created_at)
            for c in contacts
        ]
    )


def test_record_bounce_hard_makes_the_address_undeliverable(account: Account, activity: CampaignActivity) -> None:
    hard, soft = make_contacts(account, 2)
    sent(activity, [hard, soft])

    record_bounce(activity, hard, hard.email_address, 550, "5.1.1 user unknown")
    record_bounce(activity, hard, hard.email_address, 550, "5.1.1 user unknown")  # reported twice, counted once
    record_bounce(activity, soft, soft.email_address, 552, "5.2.2 mailbox full")

    rows = TrackingEvent.objects.filter(kind=EventKind.BOUNCE).order_by("contact_id")
    assert [(row.contact_id, row.bounce_code) for row in rows] == [(hard.pk, "B"), (soft.pk, "F")]
    assert rows[0].reason == "550 5.1.1 user unknown"
    assert list(Undeliverable.objects.values_list("account_id", "email_address", "bounce_code")) == [
        (account.pk, hard.email_address, "B")
    ]
    assert set(Send.objects.values_list("status", flat=True)) == {SendStatus.BOUNCED}


def test_a_temporary_refusal_bounces_the_copy_but_keeps_the_address(
    account: Account, activity: CampaignActivity
) -> None:
    greylisted = make_contacts(account, 1)[0]
    sent(activity, [greylisted])

    # What the engine passes for a 4xx at RCPT time: D, as a final report of it would be, yet not final.
    record_bounce(activity, greylisted, greylisted.email_address, 451, "4.4.7 try again later", final=False)

    assert list(TrackingEvent.objects.values_list("kind", "bounce_code")) == [(EventKind.BOUNCE, "D")]
    assert not Undeliverable.objects.exists()


BOUNDARY = "8A3C2D1E.1701590000/mx.example.org"


def dsn(recipient: str, returned: str, *, action: str = "failed", status: str = "5.1.1", diagnostic: str = "") -> str:
    """A bounce report as Postfix writes one (RFC 3464 multipart/report), returning ``returned``."""
    diagnostic = diagnostic or f"smtp; 550 {status} <{recipient}>: Recipient address rejected: User unknown"
    return f"""Return-Path: <>
Received: by mx.example.org (Postfix) id 8A3C2D1E; Sun,  3 Dec 2023 08:13:20 +0000 (UTC)
Date: Sun,  3 Dec 2023 08:13:20 +0000 (UTC)
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: sender@example.com
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{BOUNDARY}"
Message-Id: <20231203081320.8A3C2D1E@mx.example.org>

This is a MIME-encapsulated message.

--{BOUNDARY}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<{recipient}>: host mail.example.org[203.0.113.5] said: {diagnostic.removeprefix("smtp; ")}

--{BOUNDARY}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
X-Postfix-Queue-ID: 8A3C2D1E
Arrival-Date: Sun,  3 Dec 2023 08:13:19 +0000 (UTC)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mail.example.org
Diagnostic-Code: {diagnostic}

--{BOUNDARY}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{returned}
--{BOUNDARY}--
"""


def returned_headers(activity: CampaignActivity, contact: Contact, *, token: bool = True) -> str:
    """The headers of ``contact``'s copy as the engine mails it."""
    copy = Renderer(activity).copies([contact])[0]
    lines = [
        "From: Dog Lovers <sender@example.com>",
        f"To: {contact.email_address}",
        f"Subject: {copy.subject}",
        f"Message-ID: <{activity.campaign_activity_id}.{contact.contact_id}@127.0.0.1>",
        f"List-Unsubscribe: {copy.headers['List-Unsubscribe']}",
    ]
    if token:
        lines.append(f"X-CTCT-Send: {copy.headers['X-CTCT-Send']}")
    return "\n".join(lines) + "\n"


def ingest(tmp_path: Path, capsys: pytest.CaptureFixture[str], *reports: str) -> str:
    files = []
    for n, report in enumerate(reports):
        path = tmp_path / f"bounce-{n}.eml"
        path.write_text(report)
        files.append(str(path))
    call_command("ingest_bounces", *files)
    return capsys.readouterr().out


def bounces() -> list[tuple[int, str]]:
    return list(
        TrackingEvent.objects.filter(kind=EventKind.BOUNCE).order_by("pk").values_list("contact_id", "bounce_code")
    )


def test_ingest_marks_hard_bounces_undeliverable(
    account: Account, activity: CampaignActivity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone, full, away = make_contacts(account, 3)
    sent(activity, [gone, full, away])
    reports = [
        dsn(gone.email_address, returned_headers(activity, gone)),
        dsn(
            full.email_address,
            returned_headers(activity, full),
            status="5.2.2",
            diagnostic=f"smtp; 552 5.2.2 <{full.email_address}>: Mailbox full",
        ),
        # Delayed, not failed: a warning, no bounce.
        dsn(
            away.email_address,
            returned_headers(activity, away),
            action="delayed",
            status="4.4.1",
            diagnostic="X-Postfix; connect to mail.example.org: Connection timed out",
        ),
    ]

    out = ingest(tmp_path, capsys, *reports)
    assert "2 bounce(s) recorded, 0 failed address(es) unmatched" in out
    assert bounces() == [(gone.pk, "B"), (full.pk, "F")]
    assert list(Undeliverable.objects.values_list("email_address", "bounce_code")) == [(gone.email_address, "B")]
    reason = TrackingEvent.objects.get(contact=gone, kind=EventKind.BOUNCE).reason
    assert reason.startswith("550 5.1.1") and "User unknown" in reason

    # The same reports again change nothing.
    ingest(tmp_path, capsys, *reports)
    assert bounces() == [(gone.pk, "B"), (full.pk, "F")]


def test_ingest_matches_by_message_id_when_the_token_header_is_missing(
    account: Account, activity: CampaignActivity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contact = make_contacts(account, 1)[0]
    sent(activity, [contact])
    ingest(tmp_path, capsys, dsn(contact.email_address, returned_headers(activity, contact, token=False)))
    assert bounces() == [(contact.pk, "B")]


def test_ingest_ignores_reports_it_cannot_match(
    account: Account, activity: CampaignActivity, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ann, bob = make_contacts(account, 2)
    sent(activity, [ann, bob])
    headers = returned_headers(activity, ann)
    token = headers.split("X-CTCT-Send: ")[1].strip()
    forged = headers.replace(token, token[:-2] + "xx").replace("Message-ID", "X-Old-Message-ID")
    reports = [
        dsn(ann.email_address, forged),  # a tampered token, and no Message-ID to fall back on
        dsn("someone-else@example.net", headers),  # ann's copy, but another address failed (her forwarding)
        dsn(bob.email_address, "From: x@example.com\nSubject: not one of ours\n"),
    ]
    out = ingest(tmp_path, capsys, *reports)
    assert "0 bounce(s) recorded, 3 failed address(es) unmatched" in out
    assert bounces() == []
    assert not Undeliverable.objects.exists()
