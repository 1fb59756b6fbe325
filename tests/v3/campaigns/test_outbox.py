"""The embedded outbox: a campaign "sent" with no mail server lands as .eml files, listed at /m/outbox/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from apps.v3.campaigns.engine import send
from apps.v3.campaigns.models import EventKind, TrackingEvent
from ctctdash import outbox
from tests.v3.campaigns.sending import audience, campaign, schedule_now
from tests.v3.conftest import V3Api


@pytest.fixture
def outbox_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EMAIL_BACKEND = outbox.BACKEND
    settings.EMAIL_OUTBOX_DIR = tmp_path / "outbox"
    settings.DEBUG = True  # `make run`: the person running it reads the outbox
    return tmp_path / "outbox"


def test_the_outbox_shows_only_while_debug_or_to_staff(api: V3Api, outbox_dir: Path, settings: Any) -> None:
    activity = campaign(api.account, audience(api.account, 1))
    send.process(schedule_now(api, activity).pk)
    name = sorted(outbox_dir.glob("*.eml"))[0].name
    settings.DEBUG = False  # deployed without EMAIL_URL: the mail is in the outbox, its pages are not public
    visitor = Client()
    assert visitor.get("/m/outbox/").status_code == 404
    assert visitor.get(f"/m/outbox/{name}").status_code == 404

    staff = get_user_model().objects.create_user("ops", password="x", is_staff=True)
    visitor.force_login(staff)
    assert visitor.get("/m/outbox/").status_code == 200


def test_a_send_fills_the_outbox_and_its_page_shows_each_message_with_working_links(
    api: V3Api, outbox_dir: Path
) -> None:
    activity = campaign(api.account, audience(api.account, 3))
    send.process(schedule_now(api, activity).pk)
    files = sorted(outbox_dir.glob("*.eml"))
    assert len(files) == 3 and not list(outbox_dir.glob(".*"))  # no temporary file left behind

    browser = Client()
    page = browser.get("/m/outbox/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "3 messages" in text
    for i in range(3):
        assert f"Hello First{i}" in text and f"reader{i}@example.org" in text
    assert "List-Unsubscribe" in text

    name = files[0].name
    assert f"/m/outbox/{name}" in text
    message = browser.get(f"/m/outbox/{name}")
    assert message.status_code == 200 and message["Content-Security-Policy"].startswith("sandbox")
    html = message.content.decode()
    # The copy's own tracked link, followed from the outbox page, is recorded like one from a mail client.
    link = re.search(r'href="([^"]+/m/c/[^"]+)"', html)
    assert link is not None
    assert browser.get(urlsplit(link.group(1)).path).status_code == 302
    assert TrackingEvent.objects.filter(activity=activity, kind=EventKind.CLICK).count() == 1


def test_the_outbox_pages_do_not_exist_with_another_backend(api: V3Api, settings: Any, tmp_path: Path) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_OUTBOX_DIR = tmp_path
    assert Client().get("/m/outbox/").status_code == 404
    assert Client().get("/m/outbox/00000000000000000001-" + "0" * 32 + ".eml").status_code == 404


def test_a_name_that_is_not_an_outbox_file_is_never_opened(outbox_dir: Path) -> None:
    outbox_dir.mkdir(parents=True)
    (outbox_dir.parent / "secret.eml").write_text("Subject: no\n\nno")
    for name in ("../secret.eml", "secret.eml", "%2e%2e%2fsecret.eml"):
        assert Client().get(f"/m/outbox/{name}").status_code == 404
    assert Client().get("/m/outbox/").status_code == 200
