"""Email Campaigns: create, list, read, rename, delete, V2 cross-references, activities and resends.

Every response is validated against the spec by the ``api`` client.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.v3.account.models import AccountEmail, PhysicalAddress
from apps.v3.campaigns.models import (
    ActivityStatus,
    CampaignActivity,
    CampaignStatus,
    EmailCampaign,
    NonOpenerResend,
    SendRun,
    SendRunState,
)
from apps.v3.campaigns.services.campaigns import V2_ID_BASE
from apps.v3.contacts.models import ContactList, Segment
from tests.v3.campaigns.drafts import HTML, SENDER, activity_body, campaign_body, confirmed_sender, create_campaign
from tests.v3.conftest import V3Api
from tests.v3.support import error, follow_all

pytestmark = pytest.mark.django_db


def _stored() -> tuple[list[Any], list[Any]]:
    return (
        sorted(map(str, EmailCampaign.objects.values())),
        sorted(map(str, CampaignActivity.objects.values())),
    )


def _set_status(campaign_activity_id: str, status: str) -> None:
    """Move an activity (and its campaign) to a status as the engine would."""
    activity = CampaignActivity.objects.get(campaign_activity_id=campaign_activity_id)
    CampaignActivity.objects.filter(pk=activity.pk).update(current_status=status)
    EmailCampaign.objects.filter(pk=activity.campaign_id).update(current_status=status.title())


# --- create --------------------------------------------------------------------------------------


def test_create_answers_200_with_primary_and_permalink_activities(api: V3Api) -> None:
    PhysicalAddress.objects.create(
        account=api.account,
        address_line1="1 Main St",
        city="Waltham",
        state_code="MA",
        postal_code="02451",
        country_code="US",
    )
    api.account.organization_name = "Acme"
    api.account.save()
    body = create_campaign(api)
    assert body["name"] == "Spring news"
    assert body["current_status"] == "Draft"
    assert body["type_code"] == 10
    assert [ref["role"] for ref in body["campaign_activities"]] == ["primary_email", "permalink"]
    campaign = EmailCampaign.objects.get(campaign_id=body["campaign_id"])
    assert campaign.v2_id == V2_ID_BASE + campaign.pk
    primary = CampaignActivity.objects.get(campaign_activity_id=body["primary"])
    assert primary.current_status == ActivityStatus.DRAFT
    assert primary.html_content == HTML
    # docs/decisions/campaigns.md#the-default-footer
    assert primary.physical_address_in_footer == {
        "organization_name": "Acme",
        "address_line1": "1 Main St",
        "city": "Waltham",
        "state_code": "MA",
        "postal_code": "02451",
        "country_code": "US",
    }


def test_create_keeps_a_given_footer_and_converts_legacy_custom_code(api: V3Api) -> None:
    footer = {"organization_name": "Beta", "address_line1": "2 High St", "country_code": "gb"}
    body = create_campaign(api, physical_address_in_footer=footer, format_type=1)
    primary = CampaignActivity.objects.get(campaign_activity_id=body["primary"])
    assert primary.physical_address_in_footer == {**footer, "country_code": "GB"}
    assert primary.format_type == 5


def test_a_live_campaigns_name_is_a_409_and_a_removed_ones_is_free(api: V3Api) -> None:
    first = create_campaign(api, "Dup")
    before = _stored()
    error(api.post("/emails", campaign_body("Dup")), 409, "Dup")
    assert _stored() == before
    assert api.delete(f"/emails/{first['campaign_id']}").status_code == 204
    assert create_campaign(api, "Dup")["campaign_id"] != first["campaign_id"]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"from_email": "stranger@example.com"}, ("from_email", "confirmed")),
        ({"reply_to_email": "stranger@example.com"}, ("reply_to_email", "confirmed")),
        ({"html_content": "<html><body>no pixel</body></html>"}, ("html_content", "[[trackingImage]]")),
        ({"html_content": "[[trackingImage]]" + "x" * 150_000}, ("html_content",)),
        ({"format_type": 3}, ("format_type",)),
        ({"subject": "  "}, ("subject", "blank")),
        ({"from_name": "n" * 101}, ("from_name",)),
        (
            {"physical_address_in_footer": {"organization_name": "X", "address_line1": "Y", "country_code": "US"}},
            ("state_code",),
        ),
        ({"physical_address_in_footer": {"organization_name": "X", "address_line1": "Y"}}, ("country_code",)),
    ],
)
def test_create_refuses_what_the_rules_refuse_and_changes_nothing(
    api: V3Api, changes: dict[str, Any], words: tuple[str, ...]
) -> None:
    confirmed_sender(api.account)
    before = _stored()
    error(api.post("/emails", campaign_body(**changes)), 400, *words)
    assert _stored() == before


def test_create_refuses_an_unconfirmed_sender_a_long_name_and_other_than_one_activity(api: V3Api) -> None:
    AccountEmail.objects.create(account=api.account, email_address=SENDER)  # unconfirmed
    error(api.post("/emails", campaign_body()), 400, "from_email")
    AccountEmail.objects.filter(account=api.account).update(confirm_status=AccountEmail.ConfirmStatus.CONFIRMED)
    error(api.post("/emails", campaign_body("n" * 81)), 400, "name")
    error(
        api.post("/emails", {"name": "Two", "email_campaign_activities": [activity_body(), activity_body()]}),
        400,
        "exactly 1",
    )
    error(api.post("/emails", {"name": "None", "email_campaign_activities": []}), 400, "exactly 1")
    error(
        api.post(
            "/emails", {"name": "No html", "email_campaign_activities": [{**activity_body(), "html_content": None}]}
        ),
        400,
    )
    assert not EmailCampaign.objects.exists()


def test_another_accounts_confirmed_email_is_not_a_sender(api: V3Api, other_api: V3Api) -> None:
    confirmed_sender(other_api.account, "theirs@example.com")
    confirmed_sender(api.account)
    error(api.post("/emails", campaign_body(from_email="theirs@example.com")), 400, "from_email")


# --- list and get ----------------------------------------------------------------------------------


def test_listing_is_newest_change_first_across_pages_and_shows_removed_campaigns(api: V3Api) -> None:
    ids = [create_campaign(api, f"C{n}")["campaign_id"] for n in range(5)]
    # A rename is a change: C1 moves to the top.
    assert api.patch(f"/emails/{ids[1]}", {"name": "C1 renamed"}).status_code == 200
    assert api.delete(f"/emails/{ids[3]}").status_code == 204
    listed = follow_all(api, "/emails", "campaigns", {"limit": 2})
    assert [c["campaign_id"] for c in listed] == [ids[3], ids[1], ids[4], ids[2], ids[0]]
    assert listed[0]["current_status"] == "Removed"  # docs/decisions/campaigns.md#removed-campaigns-are-listed
    first = api.get("/emails", params={"limit": 2}).json()
    assert "cursor=" in first["_links"]["next"]["href"]


def test_listing_filters_on_updated_at(api: V3Api) -> None:
    old, new = (create_campaign(api, name)["campaign_id"] for name in ("Old", "New"))
    EmailCampaign.objects.filter(campaign_id=old).update(updated_at=timezone.now() - timedelta(days=10))
    middle = (timezone.now() - timedelta(days=5)).isoformat()
    after = api.get("/emails", params={"after_date": middle}).json()["campaigns"]
    before = api.get("/emails", params={"before_date": middle}).json()["campaigns"]
    assert [c["campaign_id"] for c in after] == [new]
    assert [c["campaign_id"] for c in before] == [old]
    error(api.get("/emails", params={"after_date": middle, "before_date": middle}), 400, "after_date")
    error(api.get("/emails", params={"before_date": "yesterday"}), 400, "before_date")
    error(api.get("/emails", params={"after_date": "0001-01-01T00:00:00+05:00"}), 400, "after_date", "out of range")
    error(api.get("/emails", params={"before_date": "9999-12-31T23:59:59-05:00"}), 400, "before_date", "out of range")
    for limit in (0, 501):
        error(api.get("/emails", params={"limit": limit}), 400, "limit")
    assert len(api.get("/emails", params={"limit": 500}).json()["campaigns"]) == 2


def test_get_names_each_activity_and_unknown_ids_are_404s(api: V3Api) -> None:
    created = create_campaign(api)
    body = api.get(f"/emails/{created['campaign_id']}").json()
    assert body["campaign_activities"] == created["campaign_activities"]
    assert api.get("/emails/00000000-0000-4000-8000-000000000000").status_code == 404
    error(api.get("/emails/not-a-uuid"), 400, "campaign_id")


# --- rename and delete -----------------------------------------------------------------------------


def test_rename_answers_the_campaign_and_409s_on_a_live_name_or_a_removed_campaign(api: V3Api) -> None:
    one, two = create_campaign(api, "One"), create_campaign(api, "Two")
    renamed = api.patch(f"/emails/{one['campaign_id']}", {"name": "Uno"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Uno"
    assert renamed.json()["campaign_activities"] == one["campaign_activities"]
    error(api.patch(f"/emails/{one['campaign_id']}", {"name": "Two"}), 409, "Two")
    error(api.patch(f"/emails/{one['campaign_id']}", {"name": "n" * 81}), 400, "name")
    error(api.patch(f"/emails/{one['campaign_id']}", {}), 400, "name")
    api.delete(f"/emails/{two['campaign_id']}")
    error(api.patch(f"/emails/{two['campaign_id']}", {"name": "Dos"}), 409, "Removed")
    assert EmailCampaign.objects.get(campaign_id=one["campaign_id"]).name == "Uno"


def test_delete_removes_softly_and_hides_the_activities(api: V3Api) -> None:
    created = create_campaign(api)
    assert api.delete(f"/emails/{created['campaign_id']}").status_code == 204
    campaign = EmailCampaign.objects.get(campaign_id=created["campaign_id"])
    assert campaign.current_status == CampaignStatus.REMOVED and campaign.deleted_at is not None
    assert set(campaign.activities.values_list("current_status", flat=True)) == {ActivityStatus.REMOVED}
    assert api.get(f"/emails/{created['campaign_id']}").json()["current_status"] == "Removed"
    # The spec: a REMOVED activity cannot be read.
    assert api.get(f"/emails/activities/{created['primary']}").status_code == 404
    assert api.delete(f"/emails/{created['campaign_id']}").status_code == 404


@pytest.mark.parametrize("status", [ActivityStatus.SCHEDULED, ActivityStatus.EXECUTING])
def test_a_scheduled_or_sending_campaign_cannot_be_deleted(api: V3Api, status: str) -> None:
    created = create_campaign(api)
    _set_status(created["primary"], status)
    before = _stored()
    error(api.delete(f"/emails/{created['campaign_id']}"), 400, status.title())
    assert _stored() == before


# --- V2 cross-references ---------------------------------------------------------------------------


def test_xrefs_map_v2_ids_of_the_account_only(api: V3Api, other_api: V3Api) -> None:
    mine = create_campaign(api)
    theirs = create_campaign(other_api)
    my_v2 = str(EmailCampaign.objects.get(campaign_id=mine["campaign_id"]).v2_id)
    their_v2 = str(EmailCampaign.objects.get(campaign_id=theirs["campaign_id"]).v2_id)
    response = api.get("/emails/campaign_id_xrefs", params={"v2_email_campaign_ids": f"{my_v2},{their_v2},1"})
    assert response.json() == {
        "xrefs": [
            {"v2_email_campaign_id": my_v2, "campaign_id": mine["campaign_id"], "campaign_activity_id": mine["primary"]}
        ]
    }
    error(api.get("/emails/campaign_id_xrefs"), 400, "v2_email_campaign_ids")
    error(api.get("/emails/campaign_id_xrefs", params={"v2_email_campaign_ids": "abc"}), 400, "abc")
    many = ",".join(str(n) for n in range(1, 52))
    error(api.get("/emails/campaign_id_xrefs", params={"v2_email_campaign_ids": many}), 400, "50")


# --- activities ------------------------------------------------------------------------------------


def test_get_activity_shows_sub_resources_only_when_included(api: V3Api) -> None:
    created = create_campaign(api)
    plain = api.get(f"/emails/activities/{created['primary']}").json()
    assert plain["role"] == "primary_email" and plain["current_status"] == "DRAFT"
    assert plain["campaign_id"] == created["campaign_id"]
    assert {"html_content", "permalink_url", "physical_address_in_footer"}.isdisjoint(plain)
    include = "html_content,permalink_url,document_properties,physical_address_in_footer"
    full = api.get(f"/emails/activities/{created['primary']}", params={"include": include}).json()
    assert full["html_content"] == HTML
    assert full["permalink_url"].endswith(f"/m/p/{created['permalink']}")
    error(api.get(f"/emails/activities/{created['primary']}", params={"include": "everything"}), 400, "include")
    permalink = api.get(f"/emails/activities/{created['permalink']}").json()
    assert permalink["role"] == "permalink" and permalink["subject"] == "Hello"


def _put(api: V3Api, activity_id: str, **changes: Any) -> Any:
    body = {"from_name": "New", "from_email": SENDER, "reply_to_email": SENDER, "subject": "New subject", **changes}
    return api.put(f"/emails/activities/{activity_id}", body)


def test_put_replaces_properties_and_keeps_omitted_sub_resources(api: V3Api, lists: list[ContactList]) -> None:
    footer = {"organization_name": "Acme", "address_line1": "1 Main St", "country_code": "GB", "city": "Leeds"}
    created = create_campaign(api, physical_address_in_footer=footer, preheader="Pre")
    first = _put(
        api,
        created["primary"],
        preheader="Kept?",
        contact_list_ids=[str(lists[0].list_id), str(lists[1].list_id)],
        document_properties={"greeting_salutation": "Dear", "subscribe_link_enabled": "true"},
    )
    assert first.status_code == 200, first.content
    assert first.json()["html_content"] == HTML and first.json()["physical_address_in_footer"] == footer
    assert first.json()["permalink_url"].endswith(f"/m/p/{created['permalink']}")
    assert sorted(first.json()["contact_list_ids"]) == sorted([str(lists[0].list_id), str(lists[1].list_id)])
    second = _put(
        api,
        created["primary"],
        physical_address_in_footer={
            "organization_name": "Acme Ltd",
            "address_line1": "1 Main St",
            "country_code": "GB",
        },
        document_properties={"greeting_salutation": "Hi"},
        role="permalink",  # read-only: ignored
    )
    assert second.status_code == 200, second.content
    primary = CampaignActivity.objects.get(campaign_activity_id=created["primary"])
    # Properties left out are cleared; sub-resources left out stay, and merge property by property.
    assert primary.preheader == "" and list(primary.lists.all()) == []
    assert primary.subject == "New subject" and primary.from_name == "New" and primary.role == "primary_email"
    assert primary.html_content == HTML
    assert primary.physical_address_in_footer == {**footer, "organization_name": "Acme Ltd"}
    assert primary.document_properties == {"greeting_salutation": "Hi", "subscribe_link_enabled": "true"}
    # The permalink follows the primary email's content.
    permalink = api.get(f"/emails/activities/{created['permalink']}", params={"include": "html_content"}).json()
    assert permalink["subject"] == "New subject" and permalink["html_content"] == HTML
    assert EmailCampaign.objects.get(campaign_id=created["campaign_id"]).updated_at > primary.created_at


def test_put_sets_one_segment_or_lists_never_both(api: V3Api, lists: list[ContactList], other_api: V3Api) -> None:
    created = create_campaign(api)
    segments = [Segment.objects.create(account=api.account, name=f"S{n}", segment_criteria="{}") for n in range(2)]
    theirs = ContactList.objects.create(account=other_api.account, name="Theirs")
    ok = _put(api, created["primary"], segment_ids=[segments[0].pk], html_content=HTML + "<p>v2</p>")
    assert ok.status_code == 200 and ok.json()["segment_ids"] == [segments[0].pk]
    before = _stored()
    error(_put(api, created["primary"], segment_ids=[s.pk for s in segments]), 400, "segment_ids", "1")
    error(
        _put(api, created["primary"], segment_ids=[segments[0].pk], contact_list_ids=[str(lists[0].list_id)]),
        400,
        "both",
    )
    error(_put(api, created["primary"], contact_list_ids=[str(theirs.list_id)]), 400, "contact_list_ids")
    error(_put(api, created["primary"], contact_list_ids=["nope"]), 400, "contact_list_ids")
    error(_put(api, created["primary"], segment_ids=[999_999]), 400, "segment_ids")
    error(_put(api, created["primary"], html_content="<p>no pixel</p>"), 400, "html_content")
    error(_put(api, created["primary"], from_email="stranger@example.com"), 400, "from_email")
    error(api.put(f"/emails/activities/{created['primary']}", {"subject": "only"}), 400)
    assert _stored() == before
    assert list(CampaignActivity.objects.get(campaign_activity_id=created["primary"]).segments.all()) == [segments[0]]


@pytest.mark.parametrize("status", [ActivityStatus.SCHEDULED, ActivityStatus.EXECUTING, ActivityStatus.ERROR])
def test_put_takes_only_draft_or_done_primary_emails(api: V3Api, status: str) -> None:
    created = create_campaign(api)
    error(_put(api, created["permalink"]), 400, "primary_email")
    _set_status(created["primary"], ActivityStatus.DONE)
    assert _put(api, created["primary"]).status_code == 200
    _set_status(created["primary"], status)
    before = _stored()
    error(_put(api, created["primary"], subject="Changed"), 400, status)
    assert _stored() == before


# --- resends to non-openers ------------------------------------------------------------------------


def _resends(api: V3Api, activity_id: str) -> str:
    return f"/emails/activities/{activity_id}/non_opener_resends"


def test_a_draft_resend_is_stored_with_its_resend_activity(api: V3Api) -> None:
    created = create_campaign(api)
    path = _resends(api, created["primary"])
    assert api.get(path).json() == []
    response = api.post(path, {"resend_subject": "Did you miss it?", "delay_days": 2})
    assert response.status_code == 201, response.content
    assert response.json() == {
        "resend_subject": "Did you miss it?",
        "delay_days": 2,
        "delay_minutes": 2880,
        "resend_request_id": "DRAFT",  # docs/decisions/campaigns.md#resend-request-ids
    }
    assert api.get(path).json() == [response.json()]
    resend = NonOpenerResend.objects.get()
    assert resend.resend is not None
    assert resend.resend.role == "resend" and resend.resend.current_status == ActivityStatus.DRAFT
    assert (
        resend.resend.resend_of is not None and str(resend.resend.resend_of.campaign_activity_id) == created["primary"]
    )
    assert resend.resend.subject == "Did you miss it?" and resend.resend.html_content == HTML
    assert resend.resend_date is None  # set when the engine sends the primary email
    roles = [ref["role"] for ref in api.get(f"/emails/{created['campaign_id']}").json()["campaign_activities"]]
    assert roles == ["primary_email", "permalink", "resend"]
    error(api.post(path, {"resend_subject": "Again", "delay_minutes": 720}), 409, "only one")
    assert NonOpenerResend.objects.count() == 1


def test_a_resend_of_a_sent_email_is_dated_from_its_last_run(api: V3Api) -> None:
    created = create_campaign(api)
    primary = CampaignActivity.objects.get(campaign_activity_id=created["primary"])
    sent = timezone.now() - timedelta(hours=1)
    SendRun.objects.create(activity=primary, send_id=1, state=SendRunState.COMPLETED, run_date=sent - timedelta(days=3))
    SendRun.objects.create(activity=primary, send_id=2, state=SendRunState.COMPLETED, run_date=sent)
    _set_status(created["primary"], ActivityStatus.DONE)
    # Both delays given: delay_days wins and delay_minutes is ignored, as the spec says.
    body = api.post(
        _resends(api, created["primary"]), {"resend_subject": "Again", "delay_days": 1, "delay_minutes": 800}
    )
    assert body.status_code == 201, body.content
    resend = NonOpenerResend.objects.get()
    assert resend.resend_date == sent + timedelta(days=1)
    assert body.json()["resend_request_id"] == str(resend.resend_request_id)
    listed = api.get(_resends(api, created["primary"])).json()
    assert listed[0]["resend_status"] == "SCHEDULED" and "resend_date" in listed[0]


def test_a_resend_in_whole_minutes_reports_days_only_when_exact(api: V3Api) -> None:
    created = create_campaign(api)
    body = api.post(_resends(api, created["primary"]), {"resend_subject": "Again", "delay_minutes": 730}).json()
    assert body["delay_minutes"] == 730 and "delay_days" not in body


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"resend_subject": "Again"}, ("delay_days", "delay_minutes")),
        ({"resend_subject": "Again", "delay_days": 0}, ("delay_days",)),
        ({"resend_subject": "Again", "delay_days": 11}, ("delay_days",)),
        ({"resend_subject": "Again", "delay_minutes": 719}, ("delay_minutes",)),
        ({"resend_subject": "Again", "delay_minutes": 14_401}, ("delay_minutes",)),
        ({"resend_subject": " ", "delay_days": 1}, ("resend_subject",)),
        ({"delay_days": 1}, ("resend_subject",)),
    ],
)
def test_a_resend_refuses_bad_delays(api: V3Api, body: dict[str, Any], words: tuple[str, ...]) -> None:
    created = create_campaign(api)
    before = _stored()
    error(api.post(_resends(api, created["primary"]), body), 400, *words)
    assert _stored() == before and not NonOpenerResend.objects.exists()


@pytest.mark.parametrize("status", [ActivityStatus.EXECUTING, ActivityStatus.ERROR])
def test_a_resend_needs_a_draft_scheduled_or_done_primary_email(api: V3Api, status: str) -> None:
    created = create_campaign(api)
    _set_status(created["primary"], status)
    error(api.post(_resends(api, created["primary"]), {"resend_subject": "Again", "delay_days": 1}), 409, status)
    # Only the primary email takes a resend (docs/decisions/campaigns.md#a-b-tests-and-resends-name-the-primary-email).
    assert api.get(_resends(api, created["permalink"])).status_code == 404


def test_deleting_a_resend(api: V3Api) -> None:
    created = create_campaign(api)
    path = _resends(api, created["primary"])
    api.post(path, {"resend_subject": "Again", "delay_days": 1})
    assert api.delete(f"{path}/00000000-0000-4000-8000-000000000000").status_code == 404
    error(api.delete(f"{path}/389093"), 400, "resend_request_id")
    assert api.delete(f"{path}/DRAFT").status_code == 204
    assert not NonOpenerResend.objects.exists()
    assert not CampaignActivity.objects.filter(role="resend").exists()
    assert api.delete(f"{path}/DRAFT").status_code == 404
    # One may be made again once the first is gone; scheduled, it is named by its id.
    api.post(path, {"resend_subject": "Again", "delay_days": 1})
    _set_status(created["primary"], ActivityStatus.SCHEDULED)
    resend = NonOpenerResend.objects.get()
    assert api.get(path).json()[0]["resend_request_id"] == str(resend.resend_request_id)
    assert api.delete(f"{path}/DRAFT").status_code == 404
    assert api.delete(f"{path}/{resend.resend_request_id}").status_code == 204


def test_a_sent_resend_cannot_be_deleted(api: V3Api) -> None:
    created = create_campaign(api)
    path = _resends(api, created["primary"])
    api.post(path, {"resend_subject": "Again", "delay_days": 1})
    _set_status(created["primary"], ActivityStatus.DONE)
    resend = NonOpenerResend.objects.get()
    assert resend.resend is not None
    CampaignActivity.objects.filter(pk=resend.resend.pk).update(current_status=ActivityStatus.DONE)
    error(api.delete(f"{path}/{resend.resend_request_id}"), 409, "already been sent")
    assert api.get(path).json()[0]["resend_status"] == "DONE"
    assert NonOpenerResend.objects.exists()


@pytest.mark.parametrize("raw", ["null", "[]", '"again"', "1"])
def test_a_resend_body_must_be_an_object(api: V3Api, raw: str) -> None:
    # ResendToNonOpenersInput declares no type, so the schema alone would let these through.
    created = create_campaign(api)
    error(api.post(_resends(api, created["primary"]), raw=raw), 400, "object")
