"""Writing and editing a campaign, and its page, against the live V3 service over real HTTP."""

from __future__ import annotations

from typing import Any

from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.ctct import Client
from tests.dashboard.campaigns.conftest import SENDER
from tests.dashboard.conftest import Connected, ConnectFactory, announced_error, page_text

NEW = "/campaigns/new/"
HTML = '<html><body>[[trackingImage]]<p>Hello [[FIRSTNAME OR "there"]], spring is here.</p></body></html>'


def form_data(**changes: Any) -> dict[str, Any]:
    """A campaign form the service accepts."""
    return {
        "name": "Spring news",
        "from_name": "The Shop",
        "from_email": SENDER,
        "reply_to_email": SENDER,
        "subject": "Spring is here",
        "preheader": "Our new season",
        "html_content": HTML,
        **changes,
    }


def test_the_form_offers_confirmed_senders_and_lists_with_member_counts(
    pages: PageClient, account_setup: dict[str, Any]
) -> None:
    page = page_text(pages.get(NEW))

    assert f'<option value="{SENDER}">{SENDER}</option>' in page
    assert "pending@example.com" not in page
    assert "Regulars (2 members)" in page and ">Openers</option>" in page
    assert "<textarea" in page


def test_writing_a_campaign_to_a_list(pages: PageClient, account_setup: dict[str, Any], api: Client) -> None:
    list_id = str(account_setup["list"].list_id)
    response = pages.post(NEW, form_data(lists=[list_id]), follow=True)

    (campaign,) = api.email_campaigns.iter_email_campaigns_using_get()
    assert response.redirect_chain == [(f"/campaigns/{campaign['campaign_id']}/", 302)]
    page = page_text(response)
    assert "The campaign Spring news was saved as a draft." in page
    assert "1 list" in page and "Spring is here" in page
    # The previews operation's rendering, framed with every sandbox restriction.
    assert 'sandbox=""' in page and "Hello Pat, spring is here." in page
    activity = api.email_campaigns.retrieve_email_campaign_activity_using_get(
        next(
            r["campaign_activity_id"]
            for r in api.email_campaigns.retrieve_email_campaign_using_get(campaign["campaign_id"])[
                "campaign_activities"
            ]
            if r["role"] == "primary_email"
        )
    )
    assert activity["contact_list_ids"] == [list_id] and activity["preheader"] == "Our new season"


def test_lists_and_a_segment_at_once_is_a_form_error(
    pages: PageClient, account_setup: dict[str, Any], api: Client
) -> None:
    data = form_data(lists=[str(account_setup["list"].list_id)], segment=str(account_setup["segment"].pk))
    response = pages.post(NEW, data)

    assert response.status_code == 400
    assert "not both" in announced_error(response, "id_segment")
    assert list(api.email_campaigns.iter_email_campaigns_using_get()) == []


def test_the_apis_refusals_show_at_their_fields(pages: PageClient, account_setup: dict[str, Any]) -> None:
    response = pages.post(NEW, form_data(html_content="<html><body>No tracking image</body></html>"))
    assert response.status_code == 400
    assert "[[trackingImage]]" in announced_error(response, "id_html_content")

    pages.post(NEW, form_data())
    response = pages.post(NEW, form_data())
    assert response.status_code == 400
    assert "Spring news" in announced_error(response, "id_name")


def test_editing_a_campaign(pages: PageClient, account_setup: dict[str, Any], api: Client) -> None:
    pages.post(NEW, form_data())
    (campaign,) = api.email_campaigns.iter_email_campaigns_using_get()
    edit = f"/campaigns/{campaign['campaign_id']}/edit/"
    assert 'value="Spring is here"' in page_text(pages.get(edit))

    segment = str(account_setup["segment"].pk)
    response = pages.post(edit, form_data(name="Spring news 2", subject="New subject", segment=segment), follow=True)

    page = page_text(response)
    assert "The campaign Spring news 2 was saved." in page and "New subject" in page and "A segment" in page


def test_a_viewer_sees_a_campaign_but_cannot_write_one(
    pages: PageClient, account_setup: dict[str, Any], connected: Connected, connect: ConnectFactory, api: Client
) -> None:
    pages.post(NEW, form_data())
    (campaign,) = api.email_campaigns.iter_email_campaigns_using_get()
    viewer = connect(role=Role.VIEWER, owner=connected.owner).pages()

    page = page_text(viewer.get(f"/campaigns/{campaign['campaign_id']}/"))
    assert "Spring news" in page and "/edit/" not in page
    assert viewer.get(NEW).status_code == 403
    assert viewer.get(f"/campaigns/{campaign['campaign_id']}/edit/").status_code == 403


def test_another_workspaces_campaign_is_not_found(
    pages: PageClient, account_setup: dict[str, Any], connect: ConnectFactory, api: Client
) -> None:
    pages.post(NEW, form_data())
    (campaign,) = api.email_campaigns.iter_email_campaigns_using_get()
    other = connect().pages()

    assert other.get(f"/campaigns/{campaign['campaign_id']}/").status_code == 404
    assert other.get(f"/campaigns/{campaign['campaign_id']}/edit/").status_code == 404
