"""The send engine through a real SMTP server: personal copies, headers, tracking, bounces, failures.

Runs are mailed in the test process (``send.process`` / the Celery task applied eagerly) through
Django's SMTP backend to an aiosmtpd server on a free port; the worker tests are test_send_worker.py.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from apps.v3.campaigns.engine import send
from apps.v3.campaigns.engine.mime import CopyMessage
from apps.v3.campaigns.engine.tasks import send_run
from apps.v3.campaigns.models import (
    ABTest,
    ActivityStatus,
    CampaignActivity,
    EmailCampaign,
    EventKind,
    Send,
    SendRun,
    SendStatus,
    TrackingEvent,
    Undeliverable,
)
from apps.v3.contacts.models import Contact, ListMembership
from tests.v3.campaigns.sending import SmtpServer, audience, campaign, free_port, history, schedule_now
from tests.v3.conftest import V3Api


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """A running SMTP sink, and Django's SMTP backend pointed at it."""
    server = SmtpServer()
    server.start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    try:
        yield server
    finally:
        server.stop()


def test_a_thousand_contacts_each_get_one_personal_copy_with_unsubscribe_headers(api: V3Api, smtp: SmtpServer) -> None:
    readers = audience(api.account, 1000)
    activity = campaign(api.account, readers)
    run = schedule_now(api, activity)
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == ActivityStatus.EXECUTING
    assert EmailCampaign.objects.get(pk=activity.campaign_id).current_status == "Executing"

    send.process(run.pk)

    per_recipient = smtp.sink.by_recipient()
    assert len(smtp.sink.received) == 1000 and len(per_recipient) == 1000
    for contact in Contact.objects.filter(account=api.account):
        (copy,) = per_recipient[contact.email_address]
        # Long headers arrive folded; unfolded, each is what the engine set.
        header = {name: str(value).strip() for name, value in copy.message.items()}
        assert header["Subject"] == f"Hello {contact.first_name}"
        assert f"Hello {contact.first_name}</p>" in copy.html
        assert header["From"] == "Dog Lovers <news@example.com>" and header["Reply-To"] == "replies@example.com"
        assert header["To"] == contact.email_address
        assert re.fullmatch(r"<https?://[^>]+/m/u/[^>]+>", header["List-Unsubscribe"])
        assert header["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert header["Message-ID"] == f"<{activity.campaign_activity_id}.{contact.contact_id}@127.0.0.1>"
    assert Send.objects.filter(activity=activity, status=SendStatus.SENT).count() == 1000
    activity.refresh_from_db()
    assert activity.current_status == ActivityStatus.DONE and activity.prior_status == ActivityStatus.DRAFT
    assert EmailCampaign.objects.get(pk=activity.campaign_id).current_status == "Done"
    (entry,) = history(api, activity)
    assert entry["send_id"] == 1 and entry["count"] == 1000
    assert entry["send_status"] == "COMPLETED" and entry["reason_code"] == 0
    assert entry["contact_list_ids"] == [str(readers.list_id)] and entry["segment_ids"] == []


def test_opening_and_clicking_a_received_copy_records_the_events(api: V3Api, smtp: SmtpServer) -> None:
    activity = campaign(api.account, audience(api.account, 3))
    send.process(schedule_now(api, activity).pk)
    copy = smtp.sink.by_recipient()["reader1@example.org"][0]
    contact = Contact.objects.get(email_address="reader1@example.org")
    pixel = re.search(r'<img src="([^"]+/m/o/[^"]+)"', copy.html)
    link = re.search(r'href="([^"]+/m/c/[^"]+)"', copy.html)
    assert pixel and link, copy.html
    browser = Client()
    assert browser.get(urlsplit(pixel.group(1)).path).status_code == 200
    clicked = browser.get(urlsplit(link.group(1)).path)
    assert clicked.status_code == 302 and clicked["Location"] == "https://example.com/offer"
    events = TrackingEvent.objects.filter(activity=activity, contact=contact)
    assert sorted(events.values_list("kind", flat=True)) == [EventKind.CLICK, EventKind.OPEN]


def test_who_is_mailed_eligible_contacts_once_and_a_done_activity_scheduled_again_mails_only_newcomers(
    api: V3Api, smtp: SmtpServer
) -> None:
    first = audience(api.account, 5, name="First", prefix="a")
    second = audience(api.account, 3, name="Second", prefix="b")
    # a0 is on both lists: one copy. The others below are never mailed.
    ListMembership.objects.create(contact=Contact.objects.get(email_address="a0@example.org"), contact_list=second)
    Contact.objects.filter(email_address="a1@example.org").update(permission_to_send="unsubscribed")
    Contact.objects.filter(email_address="a2@example.org").update(deleted_at="2026-01-01T00:00:00Z")
    Undeliverable.objects.create(account=api.account, email_address="b0@example.org", bounce_code="B")
    Contact.objects.filter(email_address="b1@example.org").update(permission_to_send="pending_confirmation")
    activity = campaign(api.account, first, second)
    send.process(schedule_now(api, activity).pk)
    assert sorted(smtp.sink.by_recipient()) == ["a0@example.org", "a3@example.org", "a4@example.org", "b2@example.org"]
    assert len(smtp.sink.received) == 4

    # Scheduled again once DONE: only the contacts who joined since get it.
    activity.lists.add(audience(api.account, 2, name="Third", prefix="c"))
    smtp.sink.received.clear()
    run = schedule_now(api, activity)
    assert run.send_id == 2
    send.process(run.pk)
    assert sorted(smtp.sink.by_recipient()) == ["c0@example.org", "c1@example.org"]
    assert [(e["send_id"], e["count"], e["reason_code"]) for e in history(api, activity)] == [(1, 4, 0), (2, 2, 0)]

    # Nobody new: a COMPLETED entry with count 0 and reason 12.
    send.process(schedule_now(api, activity).pk)
    assert history(api, activity)[-1] == {**history(api, activity)[-1], "count": 0, "reason_code": 12}
    assert history(api, activity)[-1]["send_status"] == "COMPLETED"


def test_a_recipient_the_server_refuses_is_a_bounce_and_the_rest_are_sent(api: V3Api, smtp: SmtpServer) -> None:
    smtp.sink.refuse["reader2@example.org"] = "550 5.1.1 <reader2@example.org>: user unknown"
    activity = campaign(api.account, audience(api.account, 5))
    send.process(schedule_now(api, activity).pk)
    assert len(smtp.sink.received) == 4 and "reader2@example.org" not in smtp.sink.by_recipient()
    refused = Send.objects.get(activity=activity, email_address="reader2@example.org")
    assert refused.status == SendStatus.BOUNCED
    bounce = TrackingEvent.objects.get(activity=activity, kind=EventKind.BOUNCE)
    assert bounce.contact_id == refused.contact_id and bounce.bounce_code == "B"
    assert Undeliverable.objects.filter(account=api.account, email_address="reader2@example.org").exists()
    (entry,) = history(api, activity)
    assert (entry["send_status"], entry["count"], entry["reason_code"]) == ("COMPLETED", 4, 0)


def test_a_mail_server_that_is_down_errors_the_activity_and_a_later_schedule_sends_only_the_rest(
    api: V3Api, smtp: SmtpServer, settings: Any
) -> None:
    settings.V3_SEND_RETRY_DELAYS = (0, 0)
    activity = campaign(api.account, audience(api.account, 40))
    smtp.sink.accept_only = 15  # then every MAIL FROM is answered 421
    run = schedule_now(api, activity)
    send_run.apply(args=[run.pk])  # the task with its retries, in this process

    run.refresh_from_db()
    assert run.state == "ERRORED" and run.attempts == 3  # the first try and two retries
    activity.refresh_from_db()
    assert activity.current_status == ActivityStatus.ERROR
    assert EmailCampaign.objects.get(pk=activity.campaign_id).current_status == "Error"
    (entry,) = history(api, activity)
    assert (entry["send_status"], entry["count"], entry["reason_code"]) == ("ERRORED", 15, 6)
    assert len(smtp.sink.received) == 15

    # The server is back; scheduling the ERROR activity again sends the 25 others, once each.
    smtp.sink.accept_only = None
    send_run.apply(args=[schedule_now(api, activity).pk])
    per_recipient = smtp.sink.by_recipient()
    assert len(per_recipient) == 40 and all(len(copies) == 1 for copies in per_recipient.values())
    assert [(e["send_status"], e["count"]) for e in history(api, activity)] == [("ERRORED", 15), ("COMPLETED", 25)]
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == ActivityStatus.DONE


def test_a_server_refusing_every_recipient_errors_the_run_without_spending_anyone_as_a_bounce(
    api: V3Api, smtp: SmtpServer, settings: Any
) -> None:
    settings.V3_SEND_RETRY_DELAYS = (0,)
    smtp.sink.refuse_all = "554 5.7.1 Relay access denied"
    activity = campaign(api.account, audience(api.account, send.REFUSED_BEFORE_DOWN + 5))
    send_run.apply(args=[schedule_now(api, activity).pk])
    (entry,) = history(api, activity)
    assert (entry["send_status"], entry["count"], entry["reason_code"]) == ("ERRORED", 0, 1)
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == ActivityStatus.ERROR
    assert not Send.objects.exists() and not TrackingEvent.objects.exists() and not Undeliverable.objects.exists()

    smtp.sink.refuse_all = None  # the relay fixed: everyone gets the copy
    send.process(schedule_now(api, activity).pk)
    assert len(smtp.sink.by_recipient()) == send.REFUSED_BEFORE_DOWN + 5


def test_no_mail_server_at_all_is_an_errored_run_with_reason_1(api: V3Api, smtp: SmtpServer, settings: Any) -> None:
    settings.V3_SEND_RETRY_DELAYS = (0,)
    settings.EMAIL_PORT = free_port()  # nothing listens there
    activity = campaign(api.account, audience(api.account, 3))
    send_run.apply(args=[schedule_now(api, activity).pk])
    (entry,) = history(api, activity)
    assert (entry["send_status"], entry["count"], entry["reason_code"]) == ("ERRORED", 0, 1)
    assert not Send.objects.filter(activity=activity).exists()
    assert SendRun.objects.get(activity=activity).lease_owner == ""


@pytest.mark.parametrize(
    ("subject", "from_email", "to"),
    [
        ("Hello Ada", "Dog Lovers <news@example.com>", "ada@example.org"),
        ("Grüße, Zoë — ça va?", "=?utf-8?q?B=C3=A9a?= <news@example.com>", "zoe@example.org"),
        ("A long subject " * 80, "news@example.com", "long@example.org"),
        ("Smuggled\r\nBcc: victim@example.org", "news@example.com", "ada@example.org"),
        ("Non-ASCII address", "news@example.com", "zoë@example.org"),  # Django's own serialisation
    ],
)
def test_a_copy_serialised_directly_reads_back_as_django_would_have_written_it(
    subject: str, from_email: str, to: str
) -> None:
    html = "<html><body><p>Grüße " + "x" * 300 + "</p>\n.\n<p>.leading dot</p></body></html>"
    text = "Hello\r\nline two with trailing space \n" + "y" * 200
    headers = {"List-Unsubscribe": "<https://example.com/m/u/" + "t" * 120 + ">", "Message-ID": "<a.b@example.com>"}

    def parsed(cls: type[EmailMultiAlternatives]) -> EmailMessage:
        # Django refuses a line break in a header; a copy's merge fields could hold one, so ours makes it a space.
        title = subject if cls is CopyMessage else subject.replace("\r", " ").replace("\n", " ")
        message = cls(title, text, from_email, [to], reply_to=["replies@example.com"], headers=headers)
        message.attach_alternative(html, "text/html")
        raw = message.message().as_bytes(linesep="\r\n")
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
        result = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(result, EmailMessage)
        return result

    ours, django = parsed(CopyMessage), parsed(EmailMultiAlternatives)
    for name in ("From", "To", "Reply-To", "List-Unsubscribe", "Message-ID", "MIME-Version"):
        assert str(ours[name]).strip() == str(django[name]).strip(), name
    assert " ".join(str(ours["Subject"]).split()) == " ".join(str(django["Subject"]).split())
    assert ours["Bcc"] is None and ours["Date"]
    for kind in ("plain", "html"):
        mine, theirs = ours.get_body((kind,)), django.get_body((kind,))
        assert mine is not None and theirs is not None
        assert mine.get_content().replace("\r\n", "\n") == theirs.get_content().replace("\r\n", "\n")  # type: ignore[attr-defined]


def test_an_ab_test_whose_samples_failed_midway_draws_the_same_samples_when_scheduled_again(
    api: V3Api, smtp: SmtpServer, settings: Any
) -> None:
    settings.V3_SEND_RETRY_DELAYS = ()
    activity = campaign(api.account, audience(api.account, 200), subject="Subject A")
    ABTest.objects.create(activity=activity, alternative_subject="Subject B", test_size=10, winner_wait_duration=6)
    smtp.sink.accept_only = 15
    send_run.apply(args=[schedule_now(api, activity).pk])
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == ActivityStatus.ERROR
    assert Send.objects.filter(activity=activity).count() == 15

    smtp.sink.accept_only = None
    send.process(schedule_now(api, activity).pk)
    sends = Send.objects.filter(activity=activity)
    assert sends.filter(variant="A").count() == 20 and sends.filter(variant="B").count() == 20
    assert len(smtp.sink.by_recipient()) == 40 == len(smtp.sink.received)
    assert ABTest.objects.get(activity=activity).test_sent_at is not None
