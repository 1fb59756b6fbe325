"""One date format on every dashboard page, in a real browser: each moment a ``<time>`` element with its exact value."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from playwright.sync_api import Page, expect

from apps.jobs.models import Job
from apps.v3.bulk.models import Activity
from apps.v3.contacts.models import Contact, ContactList, ContactNote, CustomField, Segment, Tag

from .conftest import Connected

pytestmark = pytest.mark.browser

# "Dec 2, 2026, 21:22", or the day alone where only the day matters ("Dec 2, 2026").
MOMENT = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}(, \d{2}:\d{2})?")


def shown(moment: dt.datetime, text: str) -> str:
    """How the dashboard shows ``moment`` (in the site's time zone, UTC), as much of it as ``text`` shows."""
    utc = moment.astimezone(dt.UTC)
    day = f"{utc:%b} {utc.day}, {utc.year}"
    return day if text.count(",") == 1 else f"{day}, {utc:%H:%M}"


def expect_moments(page: Page, at_least: int) -> None:
    """Every date on the page's main content is a ``<time>`` in the one format, its text matching its datetime."""
    main = page.get_by_role("main")
    times = main.locator("time")
    expect(times.first).to_be_visible()
    assert times.count() >= at_least, f"{times.count()} dates on {page.url}"
    for time in times.all():
        text, value = time.inner_text(), time.get_attribute("datetime")
        assert MOMENT.fullmatch(text), f"{text!r} on {page.url}"
        assert value and text == shown(dt.datetime.fromisoformat(value), text), f"{value} shown as {text!r}"
    # No other way of writing a moment is left in the text (Django's DATETIME_FORMAT wrote "p.m.").
    words = main.inner_text()
    assert not re.search(r"\b[ap]\.m\.|\d{4} \d{2}:\d{2}", words), words


def test_every_page_shows_dates_one_way(page: Page, connected: Connected) -> None:
    account = connected.account
    newsletter = ContactList.objects.create(account=account, name="Newsletter")
    regulars = Tag.objects.create(account=account, name="Regulars")
    field = CustomField.objects.create(account=account, label="Favourite bread", name="favourite_bread", type="string")
    ann = Contact.objects.create(account=account, email_address="ann@example.com", first_name="Ann")
    ContactNote.objects.create(contact=ann, content="Prefers mornings", created_at=dt.datetime.now(dt.UTC))
    opted_in = {"source": "contact", "field": "permission_to_send", "op": "eq", "const_value": "explicit"}
    segment = Segment.objects.create(
        account=account,
        name="Opted in",
        segment_criteria=json.dumps({"version": "1.0.0", "criteria": {"type": "and", "group": [opted_in]}}),
    )
    activity = Activity.objects.create(
        account=account,
        kind="file_import",
        state="completed",
        percent_done=100,
        source_file_name="shop.csv",
        completed_at=dt.datetime.now(dt.UTC),
    )
    job = Job.objects.create(
        workspace=connected.workspace,
        connection=connected.connection,
        kind=Job.Kind.IMPORT,
        activity_id=str(activity.activity_id),
        label="shop.csv",
        state="completed",
        created_by=connected.user,
    )

    for path, at_least in [
        ("/", 1),  # the recent imports and exports
        ("/jobs/", 3),  # the job's start, the activity's start and end
        (f"/jobs/{job.pk}/", 1),
        (f"/contacts/{ann.contact_id}/", 3),  # added, updated, the note
        (f"/contacts/lists/{newsletter.list_id}/", 2),
        (f"/contacts/tags/{regulars.tag_id}/", 2),
        (f"/contacts/custom-fields/{field.custom_field_id}/", 2),
        ("/contacts/segments/", 2),
        (f"/contacts/segments/{segment.segment_id}/", 2),
    ]:
        page.goto(path)
        expect_moments(page, at_least)

    # Where a moment is read out as a name, it is written the same way.
    page.goto(f"/contacts/{ann.contact_id}/")
    note_time = page.get_by_role("main").locator("time").last.inner_text()
    expect(page.get_by_role("link", name=f"Delete note of {note_time}")).to_be_visible()
