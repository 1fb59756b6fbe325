"""Email campaign pages: the campaigns list with its status tabs and name search."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.services import can_write, client_for
from ctctdash.pages import listing_page

from . import services


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The account's campaigns a page at a time, narrowed to a status tab and a name search."""
    tab = services.TABS_BY_VALUE.get(request.GET.get("status", ""))
    search = request.GET.get("q", "").strip()
    keep = {key: value for key, value in (("status", tab.value if tab else ""), ("q", search)) if value}
    with client_for(request) as client:
        listing = listing_page(request, lambda cursor: services.campaign_page(client, cursor), keep)
    fetched = bool(listing.items)
    rows = services.shown(list(listing.items), tab, search)
    context = {
        "page": replace(listing, page=replace(listing.page, items=rows)),
        "fetched": fetched,
        "tabs": services.TABS,
        "tab": tab,
        "search": search,
        "can_write": can_write(request),
    }
    return render(request, "campaigns/campaign_list.html", context)
