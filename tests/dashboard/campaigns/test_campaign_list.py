"""The campaigns list against the live V3 service over real HTTP: empty state, status tabs, name search, paging."""

from __future__ import annotations

import re

import pytest
from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.v3.campaigns.models import CampaignStatus, EmailCampaign
from tests.dashboard.conftest import Connected, ConnectFactory, page_text, pager_link

CAMPAIGNS = "/campaigns/"


def row_names(page: str) -> list[str]:
    """The campaign names in the table, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return re.findall(r'<tr>\s*<td><a href="/campaigns/[^/"]+/">([^<]+)</a></td>', body)


@pytest.fixture
def campaigns(connected: Connected) -> None:
    """One campaign in each status."""
    for name, status in [
        ("Spring draft", CampaignStatus.DRAFT),
        ("June newsletter", CampaignStatus.SCHEDULED),
        ("May newsletter", CampaignStatus.DONE),
        ("Sending now", CampaignStatus.EXECUTING),
        ("Old promo", CampaignStatus.REMOVED),
    ]:
        EmailCampaign.objects.create(account=connected.account, name=name, current_status=status)


def test_an_account_without_campaigns_says_to_write_the_first(pages: PageClient) -> None:
    page = page_text(pages.get(CAMPAIGNS))

    assert "There are no email campaigns yet" in page
    assert '<a class="button" href="/campaigns/new/">Write your first campaign</a>' in page
    assert "<table" not in page


def test_the_main_navigation_links_the_section_and_marks_it(pages: PageClient) -> None:
    page = page_text(pages.get(CAMPAIGNS))

    assert '<a href="/campaigns/" aria-current="page">Campaigns</a>' in page
    assert '<a href="/campaigns/">Campaigns</a>' in page_text(pages.get("/contacts/"))


@pytest.mark.usefixtures("campaigns")
def test_all_shows_every_campaign_but_the_removed(pages: PageClient) -> None:
    page = page_text(pages.get(CAMPAIGNS))

    assert sorted(row_names(page)) == ["June newsletter", "May newsletter", "Sending now", "Spring draft"]
    assert "<td>Scheduled</td>" in page


@pytest.mark.usefixtures("campaigns")
@pytest.mark.parametrize(
    ("status", "names"),
    [
        ("draft", ["Spring draft"]),
        ("scheduled", ["June newsletter"]),
        ("sent", ["May newsletter", "Sending now"]),
        ("removed", ["Old promo"]),
    ],
)
def test_a_status_tab_shows_its_campaigns(pages: PageClient, status: str, names: list[str]) -> None:
    page = page_text(pages.get(CAMPAIGNS, {"status": status}))

    assert sorted(row_names(page)) == names
    assert re.search(rf'<a href="/campaigns/\?status={status}" aria-current="page">', page)


@pytest.mark.usefixtures("campaigns")
def test_search_by_name_within_a_tab(pages: PageClient) -> None:
    assert sorted(row_names(page_text(pages.get(CAMPAIGNS, {"q": "NEWSLETTER"})))) == [
        "June newsletter",
        "May newsletter",
    ]
    assert row_names(page_text(pages.get(CAMPAIGNS, {"q": "newsletter", "status": "sent"}))) == ["May newsletter"]

    page = page_text(pages.get(CAMPAIGNS, {"q": "nothing like it"}))
    assert "No campaign on this page is in the list with “nothing like it” in its name." in page


def test_paging_follows_the_apis_cursor_and_keeps_the_tab(pages: PageClient, connected: Connected) -> None:
    EmailCampaign.objects.bulk_create(
        EmailCampaign(account=connected.account, name=f"Campaign {n:02d}") for n in range(51)
    )

    first = pages.get(CAMPAIGNS, {"status": "draft"})
    next_href = pager_link(first, "next")
    assert len(row_names(page_text(first))) == 50 and next_href is not None
    assert "status=draft" in next_href

    assert len(row_names(page_text(pages.get(next_href)))) == 1


def test_another_workspaces_campaigns_are_not_listed(
    pages: PageClient, connected: Connected, connect: ConnectFactory
) -> None:
    other = connect()
    EmailCampaign.objects.create(account=other.account, name="Their campaign")

    assert "Their campaign" not in page_text(pages.get(CAMPAIGNS))


def test_a_viewer_sees_the_list(connect: ConnectFactory, connected: Connected) -> None:
    EmailCampaign.objects.create(account=connected.account, name="Shared one")
    viewer = connect(role=Role.VIEWER, owner=connected.owner)

    assert row_names(page_text(viewer.pages().get(CAMPAIGNS))) == ["Shared one"]
