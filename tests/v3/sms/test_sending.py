"""Sending an SMS campaign: only contacts with SMS permission get a text; links are short and tracked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from apps.v3.sms import engine
from apps.v3.sms.backends import memory
from apps.v3.sms.models import SmsCampaign, SmsCampaignStatus, SmsLink, SmsSend, SmsSendStatus
from apps.v3.sms.services import SmsCampaignError, create_sms_campaign
from tests.v3.conftest import V3Api
from tests.v3.sms.support import audience, campaign_to

SHORT = re.compile(r"http://[^/]+(/s/[A-Za-z0-9]{14})")


def test_only_contacts_with_sms_permission_get_a_text(api: V3Api, sms_outbox: list[memory.SmsMessage]) -> None:
    on, people = audience(api.account)
    campaign = campaign_to(api.account, on)
    call_command("send_sms_campaign", str(campaign.campaign_id))

    # ann and eve gave permission and are on the list (eve on two lists: one text); bob, cat and
    # gus have not or no longer; dan is on another list; fay has no number; hal is deleted.
    assert sorted(m.to for m in sms_outbox) == ["+15550100001", "+15550100005"]
    campaign.refresh_from_db()
    assert campaign.status == SmsCampaignStatus.SENT and campaign.last_sent_date is not None
    assert (campaign.sends, campaign.delivers, campaign.bounces, campaign.clicks, campaign.optouts) == (2, 2, 0, 0, 0)
    text = sms_outbox[0].body
    assert text.endswith("\nReply STOP to opt out.")
    # Both links shortened, sentence punctuation kept outside the link; each recipient's links are their own.
    assert "https://shop.example.com" not in text and "/s/" in text and ". Sizes: " in text
    assert set(SHORT.findall(sms_outbox[0].body)).isdisjoint(SHORT.findall(sms_outbox[1].body))


def test_a_sent_campaign_is_not_sent_again(api: V3Api, sms_outbox: list[memory.SmsMessage]) -> None:
    on, _ = audience(api.account)
    campaign = campaign_to(api.account, on)
    call_command("send_sms_campaign", str(campaign.campaign_id))
    with pytest.raises(CommandError, match="already sent"):
        call_command("send_sms_campaign", str(campaign.campaign_id))
    with pytest.raises(CommandError, match="not a campaign id"):
        call_command("send_sms_campaign", "12")
    with pytest.raises(CommandError, match="No SMS campaign"):
        call_command("send_sms_campaign", "7b3c8f4e-7d6a-4b8e-9a51-0d2f3c4b5a69")
    assert len(sms_outbox) == 2


def test_refused_texts_count_as_bounces(api: V3Api, sms_outbox: list[memory.SmsMessage]) -> None:
    on, _ = audience(api.account)
    memory.refused.add("+15550100005")
    campaign = campaign_to(api.account, on)
    outcome = engine.send_campaign(campaign.pk)
    assert (outcome.delivered, outcome.failed) == (1, 1)
    campaign.refresh_from_db()
    assert (campaign.sends, campaign.delivers, campaign.bounces) == (2, 1, 1)
    failed = SmsSend.objects.get(campaign=campaign, status=SmsSendStatus.FAILED)
    assert failed.sms_address == "+15550100005" and failed.error == "number refused"


def test_a_stopped_send_resumes_without_texting_anyone_twice(
    api: V3Api, sms_outbox: list[memory.SmsMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of one: the run dies after the first batch's rows were written but before any text went."""
    on, people = audience(api.account)
    campaign = campaign_to(api.account, on)
    monkeypatch.setattr(engine, "BATCH", 1)

    class Down:
        def send_messages(self, messages: list[memory.SmsMessage]) -> list[str | None]:
            raise ConnectionError("gateway down")

    with pytest.raises(ConnectionError):
        engine.send_campaign(campaign.pk, backend=Down())
    assert SmsCampaign.objects.get(pk=campaign.pk).status == SmsCampaignStatus.SENDING
    assert SmsSend.objects.get(campaign=campaign).status == SmsSendStatus.PENDING

    engine.send_campaign(campaign.pk)
    assert sorted(m.to for m in sms_outbox) == ["+15550100001", "+15550100005"]
    campaign.refresh_from_db()
    assert (campaign.sends, campaign.delivers, campaign.status) == (2, 2, SmsCampaignStatus.SENT)


def test_a_campaign_needs_a_name_a_text_and_the_accounts_lists(api: V3Api, other_api: V3Api) -> None:
    on, _ = audience(api.account)
    theirs, _ = audience(other_api.account)
    for name, text, list_ids in [
        ("", "Hi", [on.list_id]),
        ("x" * 81, "Hi", [on.list_id]),
        ("Hi", " ", [on.list_id]),
        ("Hi", "x" * 1001, [on.list_id]),
        ("Hi", "Hi", []),
        ("Hi", "Hi", [theirs.list_id]),
        ("Hi", "Hi", ["not-a-uuid"]),
    ]:
        with pytest.raises(SmsCampaignError):
            create_sms_campaign(api.account, name, text, list_ids)
    assert not SmsCampaign.objects.exists()


def test_a_short_link_click_is_recorded_and_redirects(api: V3Api, client: Client, sms_outbox: list) -> None:
    on, _ = audience(api.account)
    campaign = campaign_to(api.account, on)
    engine.send_campaign(campaign.pk)
    ann_text = next(m.body for m in sms_outbox if m.to == "+15550100001")
    sale, sizes = SHORT.findall(ann_text)

    response = client.get(sale)
    assert response.status_code == 302 and response["Location"] == "https://shop.example.com/sale?src=sms"
    assert client.get(sale).status_code == 302
    assert client.get(sizes)["Location"] == "https://shop.example.com/sizes"
    campaign.refresh_from_db()
    # Three clicks by one recipient: one unique click.
    assert campaign.clicks == 1
    assert SmsLink.objects.get(campaign=campaign, url__endswith="/sale?src=sms").clicks.count() == 2
    assert SmsSend.objects.get(campaign=campaign, sms_address="+15550100001").clicked_at is not None

    eve_text = next(m.body for m in sms_outbox if m.to == "+15550100005")
    client.get(SHORT.findall(eve_text)[1])
    assert SmsCampaign.objects.get(pk=campaign.pk).clicks == 2

    for bad in ("/s/nosuchcode", sale[:-1], sale[:9] + "zzzzzzzz", "/s/" + "A" * 14):
        assert client.get(bad).status_code == 404, bad
    assert client.post(sale).status_code == 405
    assert SmsCampaign.objects.get(pk=campaign.pk).clicks == 2


@override_settings(CTCTDASH_SMS_BACKEND="apps.v3.sms.backends.outbox.OutboxBackend", DEBUG=True)
def test_the_embedded_outbox_keeps_each_text_as_a_file(api: V3Api, client: Client, tmp_path: Path) -> None:
    on, _ = audience(api.account)
    campaign = campaign_to(api.account, on)
    with override_settings(SMS_OUTBOX_DIR=tmp_path):
        call_command("send_sms_campaign", str(campaign.campaign_id))
        files = sorted(tmp_path.glob("*.json"))
        assert len(files) == 2
        assert {json.loads(f.read_text())["to"] for f in files} == {"+15550100001", "+15550100005"}
        page = client.get("/s/campaigns/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Spring" in html and str(campaign.campaign_id) in html and "+15550100005" in html


def test_the_staff_page_is_for_staff_only(api: V3Api, client: Client, django_user_model: type) -> None:
    assert client.get("/s/campaigns/").status_code == 404
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)  # type: ignore[attr-defined]
    client.force_login(staff)
    assert client.get("/s/campaigns/").status_code == 200


def test_create_sms_campaign_prints_the_new_campaigns_id(api: V3Api, capsys: pytest.CaptureFixture[str]) -> None:
    on, _ = audience(api.account)
    account = api.account.encoded_account_id
    call_command(
        "create_sms_campaign", account=account, name="Hello", text="Hi https://x.example/", list_ids=[str(on.list_id)]
    )
    campaign = SmsCampaign.objects.get(campaign_id=capsys.readouterr().out.strip())
    assert (campaign.name, campaign.status, list(campaign.links.values_list("url", flat=True))) == (
        "Hello",
        SmsCampaignStatus.DRAFT,
        ["https://x.example/"],
    )
    with pytest.raises(CommandError, match="No account"):
        call_command("create_sms_campaign", account="nobody", name="x", text="x", list_ids=[str(on.list_id)])
    with pytest.raises(CommandError, match="list_ids"):
        call_command("create_sms_campaign", account=account, name="x", text="x", list_ids=["12"])


def test_a_list_deleted_since_is_no_audience(api: V3Api, sms_outbox: list[memory.SmsMessage]) -> None:
    on, _ = audience(api.account)
    campaign = campaign_to(api.account, on)
    type(on).objects.filter(pk=on.pk).update(deleted_at=on.created_at)
    assert engine.send_campaign(campaign.pk) == engine.SendOutcome(0, 0)
    assert sms_outbox == [] and SmsCampaign.objects.get(pk=campaign.pk).status == SmsCampaignStatus.SENT
