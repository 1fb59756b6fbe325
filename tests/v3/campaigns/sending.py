"""Helpers for the send engine's tests: an SMTP sink (aiosmtpd), an audience, a campaign ready to send.

The sink is a real SMTP server on a free port of 127.0.0.1, in a thread of the test process;
the worker process of the worker tests reaches it over TCP like any mail server.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from apps.v3.account.models import Account
from apps.v3.campaigns.models import CampaignActivity, SendRun
from apps.v3.contacts.models import Contact, ContactList, ListMembership
from tests.v3.campaigns.rows import make_activity

# aiosmtpd logs every SMTP command at INFO; a thousand messages would bury a failure's output.
logging.getLogger("mail.log").setLevel(logging.WARNING)

HTML = (
    "<html><head><style>p { color: #333; }</style></head><body>[[trackingImage]]"
    "<p>Hello [[FIRSTNAME]]</p><a href='https://example.com/offer'>Offer</a></body></html>"
)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    """One message as the sink accepted it."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())  # type: ignore[attr-defined]


class Sink:
    """What the SMTP server does: accept, refuse some recipients, refuse everything, or hold a message.

    ``refuse`` maps an address to the reply its RCPT gets; ``down`` makes MAIL FROM answer 421;
    ``hold`` (a callable given the number of the message about to be accepted) may block the
    server's answer to DATA and return False to refuse that message.
    """

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}
        self.refuse_all: str | None = None  # the reply every RCPT gets (a relay refusing everything)
        self.down = False
        self.accept_only: int | None = None  # accept this many messages, then answer 421
        self.hold: Callable[[int], bool] | None = None
        self.lock = threading.Lock()

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any) -> str:
        with self.lock:
            full = self.accept_only is not None and len(self.received) >= self.accept_only
        if self.down or full:
            return "421 4.3.2 Service not available, closing transmission channel"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any) -> str:
        if self.refuse_all is not None:
            return self.refuse_all
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.hold is not None:
            with self.lock:
                number = len(self.received) + 1
            accepted = await asyncio.get_running_loop().run_in_executor(None, self.hold, number)
            if not accepted:
                return "451 4.3.0 Not accepted"
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def by_recipient(self) -> dict[str, list[Received]]:
        """The messages received per recipient address."""
        out: dict[str, list[Received]] = {}
        with self.lock:
            for item in self.received:
                for address in item.recipients:
                    out.setdefault(address.lower(), []).append(item)
        return out


class SmtpServer:
    """An aiosmtpd Controller serving a :class:`Sink` on a free port."""

    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def settings(self) -> dict[str, Any]:
        """Django settings pointing the SMTP backend at this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_TIMEOUT": 10,
        }


def audience(account: Account, count: int, name: str = "Readers", prefix: str = "reader", **fields: Any) -> ContactList:
    """A list of ``count`` new contacts ``<prefix><i>@example.org``, first name ``First<i>``."""
    contact_list = ContactList.objects.create(account=account, name=name)
    Contact.objects.bulk_create(
        [
            Contact(account=account, email_address=f"{prefix}{i}@example.org", first_name=f"First{i}", **fields)
            for i in range(count)
        ]
    )
    members = Contact.objects.filter(account=account, email_address__startswith=prefix)
    ListMembership.objects.bulk_create([ListMembership(contact=c, contact_list=contact_list) for c in members])
    return contact_list


def campaign(account: Account, *lists: ContactList, name: str = "Spring news", **fields: Any) -> CampaignActivity:
    """A draft campaign's primary email (with its permalink activity) mailing ``lists``."""
    content: dict[str, Any] = {
        "from_email": "news@example.com",
        "reply_to_email": "replies@example.com",
        "subject": "Hello [[FIRSTNAME]]",
        "html_content": HTML,
        **fields,
    }
    primary = make_activity(account, name, **content)
    primary.lists.add(*lists)
    return primary


def schedule_now(api: Any, activity: CampaignActivity) -> SendRun:
    """``POST .../schedules`` with ``"0"``; the run it started."""
    response = api.post(f"/emails/activities/{activity.campaign_activity_id}/schedules", {"scheduled_date": "0"})
    assert response.status_code == 201, response.content
    assert response.json() == []
    return SendRun.objects.filter(activity=activity).latest("send_id")


def history(api: Any, activity: CampaignActivity) -> list[dict[str, Any]]:
    """``GET .../send_history``."""
    response = api.get(f"/emails/activities/{activity.campaign_activity_id}/send_history")
    assert response.status_code == 200, response.content
    body: list[dict[str, Any]] = response.json()
    return body
