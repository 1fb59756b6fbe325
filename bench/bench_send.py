#!/usr/bin/env python
"""Send engine benchmark: a campaign of N recipients from ``POST .../schedules`` with ``"0"`` to DONE,
mailed by a real Celery worker through a real SMTP server, beside its floor.

The SMTP server is an aiosmtpd sink in its own process (it accepts and counts every message). The
floor is the same N messages, rendered beforehand, sent with smtplib over as many connections as the
engine opens (one per batch of ``apps.v3.campaigns.engine.send.BATCH``), one after another, with no
database. Targets printed beside the figures: at most 1.5 times the floor and at least 1,000 messages
a second. Honours DATABASE_URL (run it on PostgreSQL:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctctdash_dev_send``) but works in a throwaway
database made next to it; the broker is CELERY_BROKER_URL or a Redis database claimed for the run.

    .venv/bin/python bench/bench_send.py [--recipients 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import smtplib
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctctdash.settings.test")

TARGET_RATIO = 1.5
TARGET_RATE = 1_000


# ---------------------------------------------------------------------------------------------
# The SMTP sink, in a process of its own (no Django there)


class Counter:
    """An aiosmtpd handler that accepts every message and counts them in a shared value."""

    def __init__(self, count: Any) -> None:
        self.count = count

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.count.get_lock():
            self.count.value += 1
        return "250 OK"


def serve(port: int, count: Any, ready: Any) -> None:
    """Run the sink until the process is terminated."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(Counter(count), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    asyncio.run(asyncio.Event().wait())


def free_port() -> int:
    """A TCP port nobody listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------------------------------------


def main() -> None:  # noqa: PLR0915 - one script, read top to bottom
    """Run the campaign and the floor, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    args = parser.parse_args()
    n = args.recipients

    port = free_port()
    count = multiprocessing.Value("l", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=serve, args=(port, count, ready), daemon=True)
    sink.start()
    if not ready.wait(30):
        raise SystemExit("the SMTP sink did not start")
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"

    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.mail import EmailMultiAlternatives
    from django.db import connection, transaction
    from django.test import Client
    from oauth2_provider.models import Application

    from apps.v3.account.models import Account, AccountMembership, Role
    from apps.v3.campaigns.engine.send import BATCH
    from apps.v3.campaigns.models import ActivityRole, CampaignActivity, EmailCampaign, SendRun
    from apps.v3.campaigns.rendering.copy import Renderer
    from apps.v3.contacts.models import Contact, ContactList, ListMembership
    from apps.v3.oauth.tokens import issue_token
    from tests.worker import BrokerClaim, CeleryWorker, database_url, use_broker, wait_for

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    database = connection.settings_dict["NAME"]
    claim = BrokerClaim()
    use_broker(claim.url)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-send-"))
    worker = CeleryWorker(
        claim.url, database_url(connection.settings_dict), log_dir, os.environ["DJANGO_SETTINGS_MODULE"]
    )
    try:
        account = Account.objects.create(organization_name=f"bench send {uuid.uuid4().hex[:6]}")
        readers = ContactList.objects.create(account=account, name="Readers")
        with transaction.atomic():
            Contact.objects.bulk_create(
                (
                    Contact(account=account, email_address=f"reader{i}@example.org", first_name=f"First{i}")
                    for i in range(n)
                ),
                batch_size=5_000,
            )
            ListMembership.objects.bulk_create(
                (
                    ListMembership(contact_id=pk, contact_list=readers)
                    for pk in Contact.objects.filter(account=account).values_list("pk", flat=True).iterator()
                ),
                batch_size=5_000,
            )
        campaign = EmailCampaign.objects.create(account=account, name="Bench")
        html = (
            "<html><head><style>p { color: #333; font-family: sans-serif; }</style></head><body>[[trackingImage]]"
            "<h1>News</h1><p>Hello [[FIRSTNAME]], here is this month's news.</p>"
            + "".join(f"<p>Item {i}: <a href='https://example.com/item/{i}'>read more</a></p>" for i in range(5))
            + "</body></html>"
        )
        activity = CampaignActivity.objects.create(
            campaign=campaign,
            role=ActivityRole.PRIMARY_EMAIL,
            from_name="Bench",
            from_email="news@example.com",
            reply_to_email="replies@example.com",
            subject="News for [[FIRSTNAME]]",
            html_content=html,
            physical_address_in_footer={"organization_name": "Bench Inc", "address_line1": "1 Main St"},
        )
        activity.lists.add(readers)
        user = User.objects.create_user(f"bench-{uuid.uuid4().hex[:8]}")
        AccountMembership.objects.create(account=account, user=user, role=Role.ACCOUNT_OWNER)
        app = Application.objects.create(
            name="bench",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris="http://127.0.0.1/cb",
        )
        client = Client(
            HTTP_AUTHORIZATION=f"Bearer {issue_token(account, user, ['campaign_data'], app)}", HTTP_HOST="localhost"
        )

        # The floor's messages: the same copies, rendered and serialised before the clock starts.
        contacts = list(Contact.objects.filter(account=account).order_by("pk"))
        copies = Renderer(activity).copies(contacts)
        prepared = []
        for contact, copy in zip(contacts, copies, strict=True):
            message = EmailMultiAlternatives(
                copy.subject, copy.text, "Bench <news@example.com>", [contact.email_address], headers=copy.headers
            )
            message.attach_alternative(copy.html, "text/html")
            prepared.append((contact.email_address, message.message().as_bytes(linesep="\r\n")))
        del contacts, copies

        worker.start()
        start_count = count.value
        started = time.perf_counter()
        response = client.post(
            f"/v3/emails/activities/{activity.campaign_activity_id}/schedules",
            '{"scheduled_date": "0"}',
            content_type="application/json",
        )
        assert response.status_code == 201, response.content

        def done() -> bool:
            status = CampaignActivity.objects.get(pk=activity.pk).current_status
            if status == "ERROR":
                raise SystemExit(f"the send ended in ERROR\n{worker.log_tail()}")
            return status == "DONE"

        wait_for(done, 3_600, "the campaign to be DONE", interval=0.05)
        engine = time.perf_counter() - started
        sent = count.value - start_count
        run = SendRun.objects.get(activity=activity)
        assert sent == n == run.count, (sent, n, run.count)

        # The floor: the same messages over the same number of connections, one after another.
        floor_started = time.perf_counter()
        for first in range(0, n, BATCH):
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for address, raw in prepared[first : first + BATCH]:
                    smtp.sendmail("news@example.com", [address], raw)
        floor = time.perf_counter() - floor_started
        assert count.value - start_count == 2 * n
    finally:
        worker.stop()
        claim.release()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        sink.terminate()

    connections = -(-n // BATCH)
    ratio = engine / floor
    rate = n / engine
    print(
        f"\nsend engine on {connection.vendor} ({database}, made for the run), {os.cpu_count()} CPUs, "
        f"{settings.EMAIL_BACKEND}"
    )
    print(f"{'case':<52}{'seconds':>9}{'msg/s':>9}{'ratio':>8}   target")
    print(
        f"{f'campaign: {n:,} recipients, schedule 0 to DONE':<52}{engine:>9.2f}{rate:>9.0f}{ratio:>7.2f}x   "
        f"<= {TARGET_RATIO}x floor {'met' if ratio <= TARGET_RATIO else 'MISSED'}, "
        f">= {TARGET_RATE:,} msg/s {'met' if rate >= TARGET_RATE else 'MISSED'}"
    )
    print(f"{f'floor: smtplib, {connections:,} connections, no database':<52}{floor:>9.2f}{n / floor:>9.0f}{1:>7.2f}x")
    print(f"(one worker process, --pool=solo; worker log in {log_dir})")


if __name__ == "__main__":
    main()
