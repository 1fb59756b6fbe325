"""Reports pages: the account's recent campaigns compared, and one campaign's report.

Reading reports is open to every role of the workspace (a viewer sees reports); nothing here writes.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.services import client_for
from ctctdash.pages import found_or_404, listing_page

from . import services


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The account's sent campaigns, last sent first, with their unique counts and rates."""
    with client_for(request) as client:
        page = listing_page(request, lambda cursor: services.summary_page(client, cursor))
    return render(request, "reporting/report_list.html", {"page": page, "can_write": False})


@login_required
def campaign_report(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """A campaign's KPI tiles, chart, links, bounces by code, device split, and a tracking list's tab."""
    tabs = {tab: (label, operation) for tab, label, operation in services.TABS}
    tab = request.GET.get("tab", "opens")
    if tab not in tabs:
        tab = "opens"
    with client_for(request) as client:
        with found_or_404():
            report = services.campaign_report(client, str(campaign_id))
        activity_id = report["activity_id"]
        tracking = None
        if activity_id and report["sent"]:
            operation = tabs[tab][1]
            tracking = listing_page(
                request,
                lambda cursor: services.tracking_page(client, operation, activity_id, cursor),
                keep={"tab": tab},
            )
    return render(
        request,
        "reporting/campaign_report.html",
        {
            **report,
            "tab": tab,
            "tab_label": tabs[tab][0],
            "tabs": [(key, label) for key, label, _ in services.TABS],
            "tracking": tracking,
        },
    )
