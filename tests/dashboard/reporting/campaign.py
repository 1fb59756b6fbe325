"""A campaign mailed through the SMTP sink and acted on through its copies' public URLs, counted by hand.

The same path as tests/v3/reporting/test_email_reporting.py, smaller: the report pages' tests (page
and browser) assert these numbers on the tiles and tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client as PublicClient

from apps.accounts.models import Connection
from apps.accounts.services import client_for_connection
from apps.v3.campaigns.engine import send
from apps.v3.campaigns.models import CampaignActivity, SendRun
from apps.v3.contacts.models import Contact
from tests.v3.campaigns.sending import SmtpServer, audience, campaign
from tests.v3.campaigns.test_bounces import dsn, returned_headers
from tests.v3.reporting.test_email_reporting import COMPUTER, HTML, IPHONE, links

# By hand: 10 sent; readers 0-3 open on a computer, 0-1 again on an iPhone; 0-1 click the offer,
# 0 the second link too; reader 5 unsubscribes; reader 9 bounces (address does not exist).
SENT, OPENERS, MOBILE_REOPENS, OFFER_CLICKERS, MORE_CLICKERS = 10, 4, 2, 2, 1
UNSUBSCRIBER, BOUNCED = 5, 9
DELIVERED = SENT - 1


@dataclass
class Sent:
    """The campaign mailed and acted on."""

    activity: CampaignActivity
    readers: dict[int, Contact]

    @property
    def campaign_id(self) -> str:
        """The campaign's id, as the report's URL names it."""
        return str(self.activity.campaign.campaign_id)


def send_and_act(
    account: Any,
    connection: Connection,
    smtp: SmtpServer,
    tmp_path: Path,
    name: str = "Spring news",
    prefix: str = "reader",
) -> Sent:
    """Mail a campaign to ``SENT`` readers of ``account`` (scheduled through the client) and act on the copies."""
    readers_list = audience(account, SENT, name=f"Readers of {name}", prefix=prefix)
    activity = campaign(account, readers_list, name=name, html_content=HTML)
    with client_for_connection(connection) as api:
        api.call(
            "scheduleEmailCampaignActivityUsingPOST",
            campaign_activity_id=str(activity.campaign_activity_id),
            body={"scheduled_date": "0"},
        )
    send.process(SendRun.objects.filter(activity=activity).latest("send_id").pk)
    by_address = smtp.sink.by_recipient()
    readers = {
        int(c.email_address.removeprefix(prefix).split("@")[0]): c
        for c in Contact.objects.filter(account=account, email_address__startswith=prefix)
    }
    pages = {n: links(by_address[c.email_address][0].html) for n, c in readers.items()}
    public = PublicClient()
    for n in range(OPENERS):
        assert public.get(pages[n]["o"][0], HTTP_USER_AGENT=COMPUTER).status_code == 200
    for n in range(MOBILE_REOPENS):
        assert public.get(pages[n]["o"][0], HTTP_USER_AGENT=IPHONE).status_code == 200
    for n in range(OFFER_CLICKERS):
        assert public.get(pages[n]["c"][0], HTTP_USER_AGENT=COMPUTER).status_code == 302
    for n in range(MORE_CLICKERS):
        assert public.get(pages[n]["c"][1], HTTP_USER_AGENT=COMPUTER).status_code == 302
    assert public.post(pages[UNSUBSCRIBER]["u"][0], {"reason": "Too many emails"}).status_code == 200
    bounced = readers[BOUNCED]
    report = tmp_path / f"bounce-{activity.pk}.eml"
    report.write_text(dsn(bounced.email_address, returned_headers(activity, bounced)))
    call_command("ingest_bounces", str(report))
    return Sent(activity, readers)
