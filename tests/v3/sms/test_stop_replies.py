"""STOP replies: the gateway's webhook unsubscribes the sender from SMS and records an opt-out."""

from __future__ import annotations

import json

from django.test import Client, override_settings

from apps.v3.contacts.models import Contact, SmsPermission
from apps.v3.sms import engine
from apps.v3.sms.backends import memory
from apps.v3.sms.models import SmsCampaign, SmsOptOut, SmsSend
from tests.v3.conftest import V3Api
from tests.v3.sms.support import audience, campaign_to


def _reply(client: Client, number: str, body: str, path: str = "/s/inbound") -> dict[str, int]:
    response = client.post(path, {"From": number, "Body": body})
    assert response.status_code == 200, response.content
    answer: dict[str, int] = response.json()
    return answer


def test_a_stop_reply_unsubscribes_the_contact_and_counts_one_opt_out(
    api: V3Api, client: Client, sms_outbox: list[memory.SmsMessage]
) -> None:
    on, people = audience(api.account)
    campaign = campaign_to(api.account, on)
    engine.send_campaign(campaign.pk)

    # Other replies change nothing; the number is matched whatever its punctuation.
    assert _reply(client, "+1 555 010 0001", "Stop sending me sizes please") == {"opted_out": 0}
    assert _reply(client, "+1 (555) 010-0001", " stop! ") == {"opted_out": 1}
    ann = Contact.objects.get(pk=people["ann"].pk)
    assert ann.sms_permission == SmsPermission.UNSUBSCRIBED and ann.sms_consent_date is not None
    optout = SmsOptOut.objects.get()
    assert (optout.contact_id, optout.account_id, optout.from_number, optout.body) == (
        ann.pk,
        api.account.pk,
        "+15550100001",
        " stop! ",
    )
    assert optout.send == SmsSend.objects.get(campaign=campaign, contact=ann)
    assert SmsCampaign.objects.get(pk=campaign.pk).optouts == 1

    # A second STOP (or UNSUBSCRIBE) finds nobody left to unsubscribe; the count stays one.
    assert _reply(client, "+15550100001", "UNSUBSCRIBE") == {"opted_out": 0}
    assert SmsCampaign.objects.get(pk=campaign.pk).optouts == 1
    # A number never texted, as JSON: nothing to record.
    response = client.post("/s/inbound", json.dumps({"from": "+15559999999", "body": "STOP"}), "application/json")
    assert response.json() == {"opted_out": 0} and SmsOptOut.objects.count() == 1

    # The next campaign skips ann.
    sms_outbox.clear()
    engine.send_campaign(campaign_to(api.account, on, name="Summer").pk)
    assert [m.to for m in sms_outbox] == ["+15550100005"]


def test_a_stop_reply_needs_a_number_and_a_post(client: Client) -> None:
    assert client.post("/s/inbound", {"Body": "STOP"}).status_code == 400
    assert client.post("/s/inbound", "[1]", "application/json").status_code == 400
    assert client.post("/s/inbound", "{", "application/json").status_code == 400
    assert client.get("/s/inbound").status_code == 405


@override_settings(CTCTDASH_SMS_INBOUND_TOKEN="s3cret")
def test_the_webhook_token_when_one_is_set(api: V3Api, client: Client) -> None:
    on, people = audience(api.account)
    engine.send_campaign(campaign_to(api.account, on).pk)
    assert client.post("/s/inbound", {"From": "+15550100001", "Body": "STOP"}).status_code == 403
    assert client.post("/s/inbound?token=wrong", {"From": "+15550100001", "Body": "STOP"}).status_code == 403
    assert Contact.objects.get(pk=people["ann"].pk).sms_permission == SmsPermission.EXPLICIT
    assert _reply(client, "+15550100001", "STOP", "/s/inbound?token=s3cret") == {"opted_out": 1}
