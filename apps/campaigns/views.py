"""Email campaign pages: the list with its status tabs and name search, create, edit, and one campaign."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from apps.accounts.services import can_write, client_for, require_writer
from apps.ctct import Client
from ctctdash.pages import API_FORM_ERRORS, add_api_errors, found_or_404, listing_page, render_form, save_or_show
from ctctdash.pages.date_tags import when_text

from . import services
from .forms import CampaignForm, ScheduleForm, TestSendForm

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


def _detail(request: HttpRequest, campaign_id: UUID, test_form: TestSendForm | None = None) -> HttpResponse:
    """The campaign page, with a refused test send's form when there is one (then a 400)."""
    with client_for(request) as client:
        with found_or_404():
            campaign = services.get_campaign(client, str(campaign_id))
        activity_id = campaign["activity"]["campaign_activity_id"]
        context = {
            "campaign": campaign,
            "activity": campaign["activity"],
            "preview": services.preview(client, activity_id),
            "schedules": services.schedules(client, activity_id),
            "history": services.send_history(client, activity_id),
            "test_form": test_form or TestSendForm(),
            "can_write": can_write(request),
        }
    return render(request, "campaigns/campaign_detail.html", context, status=400 if test_form else 200)


@login_required
def campaign_detail(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """One campaign: its email, the previews operation's rendering in a sandboxed frame, its sends."""
    return _detail(request, campaign_id)


@login_required
def campaign_test_send(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """Send a test of the email (POST); a refused one comes back on the campaign page."""
    require_writer(request)
    if request.method != "POST":
        return redirect("campaigns:detail", campaign_id)
    form = TestSendForm(request.POST)
    with client_for(request) as client:
        with found_or_404():
            campaign = services.get_campaign(client, str(campaign_id))
        if form.is_valid():
            try:
                services.send_test(
                    client,
                    campaign["activity"]["campaign_activity_id"],
                    form.cleaned_data["email_addresses"],
                    form.cleaned_data["personal_message"],
                )
            except API_FORM_ERRORS as error:
                add_api_errors(
                    form, error, {"email_addresses": "email_addresses", "personal_message": "personal_message"}
                )
            else:
                addresses = ", ".join(form.cleaned_data["email_addresses"])
                messages.success(request, f"A test of {campaign['name']} was sent to {addresses}.")
                return redirect("campaigns:detail", campaign_id)
    return _detail(request, campaign_id, form)


@login_required
def campaign_send(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """Send now or schedule: the choice, then a confirmation naming the recipients, then the send."""
    require_writer(request)
    form = ScheduleForm(request.POST or None, initial={"when": "now"})
    with client_for(request) as client:
        with found_or_404():
            campaign = services.get_campaign(client, str(campaign_id))
        context: dict[str, Any] = {"form": form, "campaign": campaign}
        if request.method == "POST" and form.is_valid():
            now = form.cleaned_data["when"] == "now"
            if request.POST.get("confirmed") != "1":
                context["confirm"] = True
                context["recipients"] = services.recipient_count(client, campaign["activity"])
                context["when"] = "now" if now else when_text(form.cleaned_data["scheduled_at"])
                return render(request, "campaigns/campaign_send.html", context)
            try:
                services.schedule(client, campaign["activity"]["campaign_activity_id"], form.scheduled_date())
            except API_FORM_ERRORS as error:
                add_api_errors(form, error, form.api_paths())
            else:
                if now:
                    messages.success(request, f"{campaign['name']} is being sent.")
                else:
                    scheduled = when_text(form.cleaned_data["scheduled_at"])
                    messages.success(request, f"{campaign['name']} is scheduled for {scheduled}.")
                return redirect("campaigns:detail", campaign_id)
        return render_form(request, "campaigns/campaign_send.html", context)


@login_required
def campaign_unschedule(request: HttpRequest, campaign_id: UUID) -> HttpResponse:
    """Take a scheduled campaign back to a draft (POST)."""
    require_writer(request)
    if request.method == "POST":
        with client_for(request) as client:
            with found_or_404():
                campaign = services.get_campaign(client, str(campaign_id))
            services.unschedule(client, campaign["activity"]["campaign_activity_id"])
        messages.success(request, f"{campaign['name']} is no longer scheduled; it is a draft again.")
    return redirect("campaigns:detail", campaign_id)
