"""The campaign report in Chromium: Chart.js (from npm) loaded and drawing the page's own numbers,
the KPI tiles, and axe over the report and the Reports page with a campaign really mailed and acted on
(tests/dashboard/reporting/campaign.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Connected
from tests.browser.test_accessibility import assert_accessible
from tests.dashboard.reporting.campaign import DELIVERED, SENT, send_and_act
from tests.v3.campaigns.sending import SmtpServer
from tests.v3.campaigns.test_sending import smtp

__all__ = ["smtp"]

pytestmark = pytest.mark.browser


def test_report_draws_its_chart_and_tiles(page: Page, connected: Connected, smtp: SmtpServer, tmp_path: Path) -> None:
    sent = send_and_act(connected.account, connected.connection, smtp, tmp_path)
    page.goto(f"/reports/campaigns/{sent.campaign_id}/")
    expect(page.get_by_role("heading", name="Report: Spring news")).to_be_visible()
    tiles = page.locator(".tile")
    expect(tiles).to_have_count(6)
    expect(page.locator('[data-kpi="sent"] .tile__count')).to_have_text(str(SENT))
    expect(page.locator('[data-kpi="delivered"] .tile__count')).to_have_text(str(DELIVERED))
    expect(page.locator('[data-kpi="opens"] .tile__rate')).to_have_text("44.4% of delivered")
    assert page.evaluate("typeof window.Chart") == "function"
    # Chart.js took the canvas and drew the embedded numbers: opens 4 and 2, clicks 3 and 0.
    chart = "window.Chart.getChart(document.getElementById('report-chart'))"
    page.wait_for_function(f"() => {chart} !== undefined")
    drawn = page.evaluate(f"() => {chart}.data.datasets.map(d => d.data.slice(0, 2))")
    assert drawn == [[4, 2], [3, 0]]
    box = page.locator("#report-chart").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    assert_accessible(page)

    page.get_by_role("link", name="Clicks").click()
    expect(page.locator("#tracking-table tbody tr")).to_have_count(3)
    assert_accessible(page)

    page.goto("/reports/")
    expect(page.get_by_role("link", name="Spring news")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports")).to_have_attribute(
        "aria-current", "page"
    )
    assert_accessible(page)
