"""The reports pages against the live service, over a campaign really mailed and acted on
(tests/dashboard/reporting/campaign.py): the numbers shown are the ones counted by hand there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.reporting import services
from tests.dashboard.conftest import Connected, ConnectFactory, page_text, pager_link
from tests.v3.campaigns.rows import make_activity
from tests.v3.campaigns.sending import SmtpServer

from .campaign import DELIVERED, SENT, Sent, send_and_act

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(connected: Connected, smtp: SmtpServer, tmp_path: Path) -> Sent:
    return send_and_act(connected.account, connected.connection, smtp, tmp_path)


def tiles(page: str) -> dict[str, tuple[int, str]]:
    """The KPI tiles: label -> (count, rate text)."""
    found = re.findall(
        r'<span class="tile__label">([^<]+)</span>\s*<span class="tile__count">(\d+)</span>\s*'
        r'<span class="tile__rate">([^<]+)</span>',
        page,
    )
    return {label: (int(count), rate.strip()) for label, count, rate in found}


def rows(page: str, table_id: str = "") -> list[list[str]]:
    """The body rows of table ``table_id`` (the page's first table without), each a list of its cells' texts."""
    opening = f'<table id="{table_id}">' if table_id else "<table>"
    table = re.search(rf"{opening}(.*?)</table>", page, re.S)
    assert table, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S)
    assert body
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def test_campaign_report_shows_the_hand_counts(pages: PageClient, sent: Sent) -> None:
    response = pages.get(f"/reports/campaigns/{sent.campaign_id}/")
    assert response.status_code == 200
    page = page_text(response)
    assert tiles(page) == {
        "Sent": (SENT, "100.0% of sends"),
        "Delivered": (DELIVERED, "90.0% of sends"),  # 9 / 10
        "Opens": (4, "44.4% of delivered"),  # 4 / 9
        "Clicks": (2, "50.0% of opens"),  # 2 / 4
        "Bounces": (1, "10.0% of sends"),  # 1 / 10
        "Unsubscribes": (1, "11.1% of delivered"),  # 1 / 9
    }
    assert rows(page, "link-table") == [["https://example.com/offer", "2"], ["https://example.com/more", "1"]]
    assert ["Address does not exist", "1"] in rows(page, "bounce-table")
    assert sum(int(count) for _, count in rows(page, "bounce-table")) == 1
    devices = rows(page, "device-table")
    assert devices[:2] == [["Computer", "4", "3"], ["Mobile", "2", "0"]]
    embedded = re.search(r'<script id="report-chart-data" type="application/json">(.*?)</script>', page)
    assert embedded
    chart = json.loads(embedded.group(1))
    assert chart["opens"][:2] == [4, 2] and chart["clicks"][:2] == [3, 0]
    # The chart's numbers are embedded for Chart.js, and the library is the one npm installed.
    assert "/static/vendor/chart.js/chart.umd.min.js" in page


def test_tracking_tabs_page_by_cursor(pages: PageClient, sent: Sent, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "TRACKING_PAGE_SIZE", 4)
    url = f"/reports/campaigns/{sent.campaign_id}/"
    first = pages.get(url)  # the opens tab by default: 6 opens, newest first
    opens = rows(page_text(first), "tracking-table")
    assert len(opens) == 4 and all(row[3] in ("computer", "mobile") for row in opens)
    assert opens[0][3] == "mobile"  # the iPhone reopens came last
    following = pager_link(first, "next")
    assert following and "tab=opens" in following
    second = pages.get(following)
    assert len(rows(page_text(second), "tracking-table")) == 2
    assert pager_link(second, "next") is None and pager_link(second, "prev")

    clicks = page_text(pages.get(url, {"tab": "clicks"}))
    links = [row[4] for row in rows(clicks, "tracking-table")]
    assert sorted(links) == ["https://example.com/more", "https://example.com/offer", "https://example.com/offer"]
    assert 'aria-current="page">Clicks</a>' in clicks


def test_reports_page_compares_campaigns_newest_first(
    connected: Connected, pages: PageClient, smtp: SmtpServer, tmp_path: Path
) -> None:
    empty = page_text(pages.get("/reports/"))
    assert "No campaign has been sent yet" in empty
    assert '<a href="/reports/" aria-current="page">Reports</a>' in empty
    send_and_act(connected.account, connected.connection, smtp, tmp_path, name="Spring news", prefix="spring")
    latest = send_and_act(connected.account, connected.connection, smtp, tmp_path, name="Summer news", prefix="summer")
    make_activity(connected.account, "Never sent")
    page = page_text(pages.get("/reports/"))
    table = rows(page)
    assert [row[0] for row in table] == ["Summer news", "Spring news"]
    # Campaign, last sent, sent, opens, open rate, clicks, click rate, bounces, unsubscribes.
    assert table[0][2:] == ["10", "4", "44.4%", "2", "50.0%", "1", "1"]
    assert f'href="/reports/campaigns/{latest.campaign_id}/"' in page


def test_a_viewer_sees_reports(connect: ConnectFactory, smtp: SmtpServer, tmp_path: Path) -> None:
    viewer = connect(role=Role.VIEWER)
    sent = send_and_act(viewer.account, viewer.connection, smtp, tmp_path)
    pages = viewer.pages()
    assert pages.get("/reports/").status_code == 200
    report = pages.get(f"/reports/campaigns/{sent.campaign_id}/")
    assert report.status_code == 200 and tiles(page_text(report))["Sent"] == (SENT, "100.0% of sends")


def test_another_accounts_campaign_is_a_404(connect: ConnectFactory, smtp: SmtpServer, tmp_path: Path) -> None:
    theirs = connect()
    sent = send_and_act(theirs.account, theirs.connection, smtp, tmp_path)
    assert connect().pages().get(f"/reports/campaigns/{sent.campaign_id}/").status_code == 404


def test_a_campaign_not_sent_yet_says_so(connected: Connected, pages: PageClient) -> None:
    draft = make_activity(connected.account, "Draft")
    page = page_text(pages.get(f"/reports/campaigns/{draft.campaign.campaign_id}/"))
    assert "has not been sent yet" in page and 'class="tile"' not in page
