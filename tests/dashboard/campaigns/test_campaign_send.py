"""Sending a campaign from its page against the live V3 service: test sends, send now, schedule, unschedule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client as PageClient
from django.utils import timezone

from apps.accounts.models import Role
from apps.ctct import Client
from apps.v3.campaigns.engine.tasks import send_run
from apps.v3.campaigns.models import SendRun
from tests.dashboard.conftest import Connected, ConnectFactory, announced_error, page_text

from .test_campaign_form import NEW, form_data


def written(pages: PageClient, api: Client, setup: dict[str, Any]) -> str:
    """A draft campaign to the two-member list; its page's path."""
    pages.post(NEW, form_data(lists=[str(setup["list"].list_id)]))
    (campaign,) = api.email_campaigns.iter_email_campaigns_using_get()
    return f"/campaigns/{campaign['campaign_id']}/"


def test_a_test_send_reaches_its_addresses_with_the_message(
    pages: PageClient, account_setup: dict[str, Any], api: Client
) -> None:
    path = written(pages, api, account_setup)
    mail.outbox.clear()

    data = {"email_addresses": "a@example.com, b@example.com", "personal_message": "Thoughts?"}
    response = pages.post(f"{path}test/", data, follow=True)

    assert "A test of Spring news was sent to a@example.com, b@example.com." in page_text(response)
    assert sorted(address for message in mail.outbox for address in message.to) == ["a@example.com", "b@example.com"]
    assert "Thoughts?" in mail.outbox[0].body


def test_a_test_goes_to_at_most_five_addresses(pages: PageClient, account_setup: dict[str, Any], api: Client) -> None:
    path = written(pages, api, account_setup)
    addresses = ", ".join(f"t{n}@example.com" for n in range(6))

    response = pages.post(f"{path}test/", {"email_addresses": addresses})

    assert response.status_code == 400
    assert announced_error(response, "id_email_addresses") == "A test goes to at most 5 addresses."


def test_send_now_asks_first_then_sends_and_the_history_shows_it(
    pages: PageClient, account_setup: dict[str, Any], api: Client
) -> None:
    path = written(pages, api, account_setup)
    mail.outbox.clear()

    confirm = page_text(pages.post(f"{path}send/", {"when": "now"}))
    assert "Send Spring news now?" in confirm and "2 list members" in confirm
    assert "Not sent yet." in page_text(pages.get(path))

    response = pages.post(f"{path}send/", {"when": "now", "confirmed": "1"}, follow=True)

    assert "Spring news is being sent." in page_text(response)
    # The service's worker mails the run it started (no Celery worker runs under these tests).
    send_run.apply(args=[SendRun.objects.latest("pk").pk])
    page = page_text(pages.get(path))
    assert "Not sent yet." not in page and "<td>2</td><td>Completed</td>" in page
    assert len(mail.outbox) == 2


def test_scheduling_and_unscheduling(pages: PageClient, account_setup: dict[str, Any], api: Client) -> None:
    path = written(pages, api, account_setup)
    later = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")

    assert "Send Spring news at" in page_text(pages.post(f"{path}send/", {"when": "later", "scheduled_at": later}))
    data = {"when": "later", "scheduled_at": later, "confirmed": "1"}
    page = page_text(pages.post(f"{path}send/", data, follow=True))
    assert "Spring news is scheduled for" in page and "Scheduled for" in page and "Unschedule" in page

    page = page_text(pages.post(f"{path}unschedule/", follow=True))
    assert "Spring news is no longer scheduled; it is a draft again." in page and "Scheduled for" not in page


def test_later_needs_a_date_and_time(pages: PageClient, account_setup: dict[str, Any], api: Client) -> None:
    path = written(pages, api, account_setup)

    response = pages.post(f"{path}send/", {"when": "later"})

    assert response.status_code == 400
    assert announced_error(response, "id_scheduled_at") == "Give the date and time to send it at."


def test_a_viewer_cannot_send(
    pages: PageClient, account_setup: dict[str, Any], api: Client, connected: Connected, connect: ConnectFactory
) -> None:
    path = written(pages, api, account_setup)
    viewer = connect(role=Role.VIEWER, owner=connected.owner).pages()

    assert "Send a test" not in page_text(viewer.get(path))
    assert viewer.post(f"{path}send/", {"when": "now", "confirmed": "1"}).status_code == 403
    assert viewer.post(f"{path}test/", {"email_addresses": "a@example.com"}).status_code == 403
