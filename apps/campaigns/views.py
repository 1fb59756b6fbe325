"""Email campaign pages: the list with its status tabs and name search, create, edit, and one campaign."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from apps.accounts.services import can_write, client_for, require_writer
from apps.ctct import Client
from ctctdash.pages import found_or_404, listing_page, save_or_show

from . import services
from .forms import CampaignForm

TEMPLATE_FORM = "campaigns/campaign_form.html"


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


def _form(request: HttpRequest, client: Client, initial: dict[str, Any] | None = None) -> CampaignForm:
    """The campaign form with the account's confirmed emails, lists (with member counts) and segments."""
    return CampaignForm(
        request.POST or None,
        initial=initial,
        senders=services.sender_choices(client),
        lists=services.list_choices(client),
        segments=services.segment_choices(client),
    )


def _saved(campaign: dict[str, Any], verb: str) -> tuple[str, str]:
    return f"The campaign {campaign['name']} was {verb}.", reverse("campaigns:detail", args=[campaign["campaign_id"]])


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    """Write a new campaign (a Draft)."""
    require_writer(request)
    with client_for(request) as client:
        form = _form(request, client)
        return save_or_show(
            request,
            form,
            lambda data: services.create_campaign(client, data),
            lambda created: _saved(created, "saved as a draft"),
            TEMPLATE_FORM,
            {"senders": form.fields["from_email"].choices},  # type: ignore[attr-defined]
        )


@login_required
def campaign_edit(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """Change a campaign's name, sender, subject, recipients or HTML."""
    require_writer(request)
    with client_for(request) as client:
        with found_or_404():
            campaign = services.get_campaign(client, str(campaign_id))
        form = _form(request, client, services.form_initial(campaign))
        return save_or_show(
            request,
            form,
            lambda data: services.update_campaign(client, campaign, data),
            lambda saved: _saved({**campaign, "name": saved.get("name", campaign["name"])}, "saved"),
            TEMPLATE_FORM,
            {"campaign": campaign, "senders": form.fields["from_email"].choices},  # type: ignore[attr-defined]
        )


@login_required
def campaign_detail(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """One campaign: its primary email and the previews operation's rendering in a sandboxed frame."""
    with client_for(request) as client:
        with found_or_404():
            campaign = services.get_campaign(client, str(campaign_id))
        preview = services.preview(client, campaign["activity"]["campaign_activity_id"])
    context = {
        "campaign": campaign,
        "activity": campaign["activity"],
        "preview": preview,
        "can_write": can_write(request),
    }
    return render(request, "campaigns/campaign_detail.html", context)
