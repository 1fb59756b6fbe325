"""Test sends (``POST .../tests``) and previews (``GET .../previews``) of an email campaign activity."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.core import mail
from django.utils import timezone

from apps.v3.campaigns.models import CampaignActivity, TrackedUrl
from apps.v3.campaigns.models import TestSendLog as SendLog  # not Test*: pytest would collect it
from tests.v3.campaigns.drafts import SENDER, create_campaign
from tests.v3.conftest import V3Api
from tests.v3.support import error

HTML = (
    "<html><head><style>p { color: #336699 }</style></head><body>[[trackingImage]]"
    '<p>Hello [[FIRSTNAME OR "there"]] [[LASTNAME]] of [[COMPANYNAME]]</p>'
    '<a href="https://example.com/offer">Offer</a></body></html>'
)


@pytest.fixture
def activity_id(api: V3Api) -> str:
    api.account.first_name, api.account.last_name = "Olive", "Owner"
    api.account.organization_name, api.account.contact_email = "Dog Lovers Inc", "olive@example.com"
    api.account.save()
    campaign = create_campaign(api, html_content=HTML, subject='News for [[FIRSTNAME OR "you"]]', preheader="Soon")
    return str(campaign["primary"])


def path_of_tests(activity_id: str) -> str:
    return f"/emails/activities/{activity_id}/tests"


def test_a_test_send_mails_the_content_untracked_with_the_personal_message(api: V3Api, activity_id: str) -> None:
    body = {"email_addresses": ["a@example.com", "B@example.com", "a@example.com"], "personal_message": "Look <here>"}
    response = api.post(path_of_tests(activity_id), body)
    assert response.status_code == 204 and response.content == b""

    [message] = mail.outbox
    assert sorted(message.to) == ["a@example.com", "b@example.com"]
    assert message.subject == '[Test] News for [[FIRSTNAME OR "you"]]'  # no variables processed, as the spec says
    assert message.from_email == f"Sender <{SENDER}>"
    assert message.reply_to == [SENDER]
    html_part = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    assert html_part.index("Look &lt;here&gt;") < html_part.index("Hello")
    assert 'Hello [[FIRSTNAME OR "there"]] [[LASTNAME]] of [[COMPANYNAME]]</p>' in html_part
    assert 'href="https://example.com/offer"' in html_part
    assert "/m/" not in html_part and "[[trackingImage]]" not in html_part
    assert 'style="color: #336699;"' in html_part  # inlined like a real copy
    assert str(message.body).startswith("Look <here>\n\n")
    assert not TrackedUrl.objects.exists()
    # Each distinct address counts against the allowance.
    assert list(SendLog.objects.values_list("account_id", "addresses")) == [(api.account.pk, 2)]


def test_fifty_addresses_a_day(api: V3Api, activity_id: str) -> None:
    addresses = [f"t{i}@example.com" for i in range(5)]
    # Yesterday's sends (more than 24 hours ago) no longer count.
    old = SendLog.objects.create(
        account=api.account, activity=CampaignActivity.objects.get(campaign_activity_id=activity_id), addresses=50
    )
    SendLog.objects.filter(pk=old.pk).update(sent_at=timezone.now() - timedelta(hours=25))
    for _ in range(9):
        assert api.post(path_of_tests(activity_id), {"email_addresses": addresses}).status_code == 204
    assert api.post(path_of_tests(activity_id), {"email_addresses": addresses[:4]}).status_code == 204  # 49

    refused = api.post(path_of_tests(activity_id), {"email_addresses": addresses[:2]})
    error(refused, 429, "50", "1 left")
    assert refused.json()[0]["error_key"] == "quota_exceeded"
    assert len(mail.outbox) == 10
    assert api.post(path_of_tests(activity_id), {"email_addresses": addresses[:1]}).status_code == 204  # the 50th
    error(api.post(path_of_tests(activity_id), {"email_addresses": addresses[:1]}), 429, "0 left")
    assert len(mail.outbox) == 11


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"email_addresses": [f"t{i}@example.com" for i in range(6)]}, ["email_addresses"]),
        ({"email_addresses": ["not-an-address"]}, ["email_addresses[0]", "not a valid email address"]),
        ({"email_addresses": []}, ["email_addresses"]),
        ({"personal_message": "Hi"}, ["email_addresses"]),
        ({"email_addresses": ["a@example.com"], "personal_message": 7}, ["personal_message"]),
    ],
)
def test_bad_bodies_are_400s_that_send_nothing(
    api: V3Api, activity_id: str, body: dict[str, Any], words: list[str]
) -> None:
    error(api.post(path_of_tests(activity_id), body), 400, *words)
    assert mail.outbox == [] and not SendLog.objects.exists()


def test_only_a_primary_email_is_test_sent(api: V3Api, activity_id: str) -> None:
    permalink = CampaignActivity.objects.exclude(campaign_activity_id=activity_id).get()
    body = {"email_addresses": ["a@example.com"]}
    error(api.post(path_of_tests(str(permalink.campaign_activity_id)), body), 404)
    error(api.post(path_of_tests("00000000-0000-4000-8000-000000000000"), body), 404)
    error(api.post(path_of_tests("nope"), body), 400)
    assert mail.outbox == [] and not SendLog.objects.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _smtp_settings(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 10
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


def test_a_test_send_goes_through_a_real_smtp_server(api: V3Api, activity_id: str, settings: Any) -> None:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _smtp_settings(settings, port)
        assert api.post(path_of_tests(activity_id), {"email_addresses": ["real@example.com"]}).status_code == 204
    finally:
        controller.stop()
    [(recipients, message)] = inbox.messages  # sent before the answer: synchronously
    assert recipients == ["real@example.com"]
    assert str(message["Subject"]).startswith("[Test] News for")
    assert message.get_body(preferencelist=("html",)) is not None


def test_no_mail_server_is_a_500_that_uses_none_of_the_allowance(api: V3Api, activity_id: str, settings: Any) -> None:
    _smtp_settings(settings, _free_port())  # nobody listens there
    error(api.post(path_of_tests(activity_id), {"email_addresses": ["a@example.com"]}), 500, "could not be sent")
    assert not SendLog.objects.exists()


def test_preview_fills_in_the_account_owner(api: V3Api, activity_id: str) -> None:
    response = api.get(f"/emails/activities/{activity_id}/previews")
    assert response.status_code == 200
    body = response.json()
    assert body["campaign_activity_id"] == activity_id
    assert (body["from_name"], body["from_email"], body["reply_to_email"]) == ("Sender", SENDER, SENDER)
    assert body["subject"] == "News for Olive"
    assert body["preheader"] == "Soon"
    html_part, text_part = body["preview_html_content"], body["preview_text_content"]
    assert "Hello Olive Owner of Dog Lovers Inc</p>" in html_part
    assert 'href="https://example.com/offer"' in html_part and "/m/" not in html_part
    assert "Hello Olive Owner of Dog Lovers Inc" in text_part
    assert not TrackedUrl.objects.exists()


def test_preview_of_another_or_no_activity_is_a_404(api: V3Api, other_api: V3Api, activity_id: str) -> None:
    error(other_api.get(f"/emails/activities/{activity_id}/previews"), 404)
    error(api.get("/emails/activities/00000000-0000-4000-8000-000000000000/previews"), 404)
