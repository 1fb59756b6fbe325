"""Copies of an activity: merge fields with fallbacks, tracked links, inlined CSS, the text part, footer, headers."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.v3.account.models import Account, PhysicalAddress
from apps.v3.campaigns.models import TrackedUrl
from apps.v3.campaigns.rendering.copy import Renderer
from apps.v3.campaigns.tracking.links import read_token
from apps.v3.contacts.models import Contact, CustomField, CustomFieldValue
from tests.v3.campaigns.rows import make_activity, make_contacts

pytestmark = pytest.mark.django_db

CONTENT = """<html><head><style>p { color: #ff0000 } .lead { font-size: 20px }</style></head>
<body>[[trackingImage]]
<p class="lead">Hello [[FIRSTNAME OR "there"]] [[lastname]] of [[COMPANYNAME OR "Ben & Jerry's"]]</p>
<p>Your colour: [[CUSTOM.color OR "none yet"]]; missing: [[CUSTOM.nothing OR "n/a"]]; [[NOTAFIELD]]</p>
<a href="https://example.com/a?x=1&amp;y=2">A</a>
<a href="http://example.com/b">B</a>
<a href="https://example.com/a?x=1&amp;y=2">A again</a>
<a href="mailto:hello@example.com">Write</a>
<a href="https://example.com/me?e=[[EMAILADDRESS]]">Mine</a>
</body></html>"""


@pytest.fixture
def account() -> Account:
    return Account.objects.create(organization_name="Dog Lovers Inc", first_name="Olive", last_name="Owner")


def hrefs(markup: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', markup)


def test_merge_fields_use_contact_values_and_fallbacks(account: Account) -> None:
    color = CustomField.objects.create(account=account, label="Color", name="color", type="string")
    activity = make_activity(account, html_content=CONTENT)
    ann = Contact.objects.create(
        account=account, email_address="ann@example.org", first_name="Ann", last_name="Lee", company_name="Acme"
    )
    bare = Contact.objects.create(account=account, email_address="bare@example.org")
    CustomFieldValue.objects.create(contact=ann, custom_field=color, value="<green>")

    first, second = Renderer(activity).copies([ann, bare])

    assert first.subject == "Hello Ann"
    assert second.subject == "Hello friend"
    assert "Hello Ann Lee of Acme</p>" in first.html
    assert "Hello there  of Ben &amp; Jerry&#x27;s</p>" in second.html
    # Values are escaped in the HTML part, never in the text part.
    assert "Your colour: &lt;green&gt;; missing: n/a; [[NOTAFIELD]]" in first.html
    assert "Your colour: <green>; missing: n/a; [[NOTAFIELD]]" in first.text
    assert "Your colour: none yet" in second.html
    # A link with a merge tag is personal: filled in and not tracked.
    assert "https://example.com/me?e=ann@example.org" in hrefs(first.html)
    assert "Hello there  of Ben & Jerry's" in second.text


def test_links_are_tracked_with_stable_url_ids(account: Account) -> None:
    activity = make_activity(account, html_content=CONTENT)
    contact = make_contacts(account, 1)[0]

    copy = Renderer(activity).copies([contact])[0]
    rows = dict(TrackedUrl.objects.filter(activity=activity).values_list("url", "url_id"))
    assert rows == {"https://example.com/a?x=1&y=2": 1, "http://example.com/b": 2}
    tracked = [href for href in hrefs(copy.html) if "/m/c/" in href]
    assert [href.rsplit("/", 1)[1] for href in tracked] == ["1", "2", "1"]
    assert "mailto:hello@example.com" in hrefs(copy.html)
    assert not any("example.com/a" in href or "example.com/b" in href for href in hrefs(copy.html))

    # A new link later gets the next id; the old ones keep theirs, and re-rendering creates no rows.
    activity.html_content = CONTENT.replace("http://example.com/b", "https://example.com/c") + ""
    activity.html_content = activity.html_content.replace("</body>", '<a href="http://example.com/b">B</a></body>')
    again = Renderer(activity).copies([contact])[0]
    rows = dict(TrackedUrl.objects.filter(activity=activity).values_list("url", "url_id"))
    assert rows == {"https://example.com/a?x=1&y=2": 1, "http://example.com/b": 2, "https://example.com/c": 3}
    assert [h.rsplit("/", 1)[1] for h in hrefs(again.html) if "/m/c/" in h] == ["1", "3", "1", "2"]
    Renderer(activity)
    assert TrackedUrl.objects.filter(activity=activity).count() == 3


def test_each_recipient_gets_their_own_signed_links(account: Account) -> None:
    activity = make_activity(account, html_content=CONTENT)
    ann, bob = make_contacts(account, 2)

    first, second = Renderer(activity).copies([ann, bob])

    def token_of(copy_html: str) -> str:
        found = re.search(r"/m/o/([^\"]+)\"", copy_html)
        assert found is not None
        return found.group(1)

    for copy, contact in ((first, ann), (second, bob)):
        recipient = read_token(token_of(copy.html))
        assert recipient is not None
        assert (recipient.account_id, recipient.activity_id, recipient.contact_id) == (
            account.pk,
            activity.pk,
            contact.pk,
        )
        assert copy.headers["X-CTCT-Send"] == token_of(copy.html)
    assert token_of(first.html) != token_of(second.html)
    # [[trackingImage]] became the pixel: exactly one, where the tag was.
    assert first.html.count("/m/o/") == 1
    assert "[[trackingImage]]" not in first.html


def test_css_is_inlined(account: Account) -> None:
    activity = make_activity(account, html_content=CONTENT)
    copy = Renderer(activity).copies(make_contacts(account, 1))[0]

    assert "<style>" not in copy.html
    assert re.search(r'<p class="lead" style="color: #ff0000;\s*font-size: 20px;?">', copy.html), copy.html


def test_media_queries_stay_in_a_style_sheet(account: Account) -> None:
    responsive = CONTENT.replace("<style>", '<style>@import url("https://example.com/x.css");').replace(
        "</style>", "@media (max-width: 600px) { .lead { font-size: 16px } }</style>"
    )
    copy = Renderer(make_activity(account, html_content=responsive)).copies(make_contacts(account, 1))[0]

    assert re.search(r"<style>@media \(max-width: ?600px\) ?\{ ?\.lead ?\{ ?font-size: 16px ?\} ?\}", copy.html), (
        copy.html
    )
    assert re.search(r'<p class="lead" style="color: #ff0000;\s*font-size: 20px;?">', copy.html)
    assert "font-size" not in copy.text
    assert "@import" not in copy.html  # dropped: never fetched, and css-inline would fuse it with the @media


def test_headers_carry_one_click_unsubscribe(account: Account) -> None:
    activity = make_activity(account, html_content=CONTENT)
    copy = Renderer(activity).copies(make_contacts(account, 1))[0]

    unsubscribe = re.fullmatch(r"<(http://[^>]+/m/u/[^>]+)>", copy.headers["List-Unsubscribe"])
    assert unsubscribe is not None
    assert copy.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The footer's link is the same one.
    assert unsubscribe.group(1) in hrefs(copy.html)
    assert f"Unsubscribe: {unsubscribe.group(1)}" in copy.text


def test_footer_shows_the_physical_address_and_forward_link(account: Account) -> None:
    activity = make_activity(account, html_content=CONTENT)
    copy = Renderer(activity).copies(make_contacts(account, 1))[0]

    assert "Dog Lovers Inc<br>123 Maple Street<br>Waltham, MA 02451<br>US" in copy.html
    assert any("/m/f/" in href for href in hrefs(copy.html))
    assert copy.html.index("ctct-footer") < copy.html.index("</body>")
    assert "Dog Lovers Inc\n123 Maple Street\nWaltham, MA 02451\nUS" in copy.text


def test_footer_falls_back_to_the_account_address(account: Account) -> None:
    PhysicalAddress.objects.create(account=account, address_line1="9 Elm Road", city="Boston", country_code="US")
    activity = make_activity(account, physical_address_in_footer=None)
    copy = Renderer(activity).copies(make_contacts(account, 1))[0]

    assert "Dog Lovers Inc<br>9 Elm Road<br>Boston<br>US" in copy.html


def test_text_part_from_html_or_text_content(account: Account) -> None:
    activity = make_activity(account, html_content=CONTENT)
    contact = make_contacts(account, 1)[0]
    text = Renderer(activity).copies([contact])[0].text
    assert "color" not in text.split("Hello")[0]  # no style sheet in the text
    assert re.search(r"A \(http://[^)]+/m/c/[^)]+/1\)", text), text
    assert "Write (mailto:hello@example.com)" in text

    activity.document_properties = {"text_content": "Hi [[FIRSTNAME]], see https://example.com/text-only."}
    text = Renderer(activity).copies([contact])[0].text
    assert text.startswith("Hi Person0, see http://")
    assert re.search(r"/m/c/[^/\s]+/3\.", text), text  # the text's own link is tracked too, the period kept out
    assert TrackedUrl.objects.get(activity=activity, url_id=3).url == "https://example.com/text-only"


def test_preheader_and_subject_override(account: Account) -> None:
    activity = make_activity(account, html_content=CONTENT, preheader="Don't miss {this}")
    copy = Renderer(activity, subject="B for [[FIRSTNAME]]").copies(make_contacts(account, 1))[0]

    assert copy.subject == "B for Person0"
    assert re.search(r"<body>\s*<div style=\"display:none[^>]*>Don&#x27;t miss \{this\}</div>", copy.html)


def test_untracked_copies_keep_links_and_have_no_pixel(account: Account) -> None:
    activity = make_activity(account, html_content=CONTENT)
    copy = Renderer(activity, tracked=False).copies(make_contacts(account, 1))[0]

    assert "https://example.com/a?x=1&amp;y=2" in hrefs(copy.html)
    assert "/m/" not in copy.html + copy.text
    assert copy.headers == {}
    assert not TrackedUrl.objects.filter(activity=activity).exists()


def test_a_batch_costs_one_query_and_renders_fast(account: Account, capsys: Any) -> None:
    color = CustomField.objects.create(account=account, label="Color", name="color", type="string")
    activity = make_activity(account, html_content=CONTENT)
    contacts = make_contacts(account, 1000)
    CustomFieldValue.objects.bulk_create(
        [CustomFieldValue(contact=c, custom_field=color, value=f"c{c.pk}") for c in contacts]
    )
    renderer = Renderer(activity)

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        copies = renderer.copies(contacts)
        elapsed = time.perf_counter() - started
    assert len(queries) == 1  # the batch's custom field values
    assert [f"Your colour: c{c.pk};" in copy.html for copy, c in zip(copies, contacts, strict=True)] == [True] * 1000
    rate = len(copies) / elapsed
    with capsys.disabled():
        print(f"\nrendering: {rate:,.0f} copies/s for 1,000 contacts")
    assert rate > 2000


def test_legacy_formats_show_the_permission_reminder_and_web_page_link(account: Account) -> None:
    properties = {
        "permission_reminder_enabled": "true",
        "permission_reminder": "You signed up at our shop & asked for news.",
        "view_as_webpage_enabled": "true",
        "view_as_webpage_text": "Trouble reading?",
        "view_as_webpage_link_name": "Open it in a browser",
        "forward_email_link_name": "Send to a friend",
    }
    activity = make_activity(account, format_type=2, html_content=CONTENT, document_properties=properties)
    permalink = activity.campaign.activities.get(role="permalink")
    contacts = make_contacts(account, 1)
    copy = Renderer(activity).copies(contacts)[0]

    top = copy.html[copy.html.index("<body>") : copy.html.index("Hello")]
    assert "You signed up at our shop &amp; asked for news." in top
    assert re.search(rf'Trouble reading\? <a href="http://[^"]+/m/p/{permalink.campaign_activity_id}">Open it', top)
    assert ">Send to a friend</a>" in copy.html
    assert copy.text.startswith(
        "You signed up at our shop & asked for news.\nTrouble reading? Open it in a browser: http"
    )
    assert "\nSend to a friend: http" in copy.text
    # A custom code email (format 5) has neither, whatever its properties say.
    activity.format_type = 5
    assert "signed up" not in Renderer(activity).copies(contacts)[0].html


def test_values_in_a_link_address_are_percent_encoded(account: Account) -> None:
    content = (
        '<html><body><a href="https://example.com/hi?co=[[COMPANYNAME]]&amp;n=[[FIRSTNAME OR &quot;a b&quot;]]">'
        "Hi [[COMPANYNAME]]</a></body></html>"
    )
    activity = make_activity(account, html_content=content)
    contact = Contact.objects.create(account=account, email_address="ben@example.org", company_name="Ben & Jerry's")

    copy = Renderer(activity).copies([contact])[0]

    assert 'href="https://example.com/hi?co=Ben%20%26%20Jerry%27s&amp;n=a%20b"' in copy.html
    assert ">Hi Ben &amp; Jerry&#x27;s</a>" in copy.html  # the words stay words
    assert "https://example.com/hi?co=Ben%20%26%20Jerry%27s&n=a%20b" in copy.text
