"""The contact pages against the live V3 service over real HTTP: list, filters, paging, detail, changes.

Data is arranged with the service's models (tests may import ``apps.v3``); every page reads and
writes it through the dashboard's client, which calls the live server with the connection's token.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.accounts.services import ACTIVE_CONNECTION_KEY
from apps.ctct import BadRequest, ErrorDetail
from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactList,
    ContactNote,
    ContactPhone,
    CustomField,
    CustomFieldChoice,
    CustomFieldValue,
    ListMembership,
    Segment,
    Tag,
    Tagging,
)
from ctctdash.pages import api_field_errors
from tests.dashboard.conftest import Connected, ConnectFactory, form_values, pager_link

LIST_URL = "/contacts/"
ROW_LINK = re.compile(r'<a href="/contacts/[0-9a-f-]{36}/">([^<]+)</a>')


# --- Helpers ---------------------------------------------------------------------------------------


def emails(response: HttpResponse) -> list[str]:
    """The email addresses in the list's rows, in order."""
    assert response.status_code == 200, response.content[:500]
    return ROW_LINK.findall(response.content.decode())


def text(response: HttpResponse) -> str:
    """The page as text, entities decoded."""
    return html.unescape(response.content.decode())


def add_contacts(account: Any, count: int, start: int = 0, **fields: Any) -> list[Contact]:
    """``count`` contacts ``c<n>@example.com``, in id order (the API's order)."""
    return Contact.objects.bulk_create(
        Contact(
            account=account,
            email_address=f"c{n:03d}@example.com",
            first_name=f"First{n:03d}",
            last_name="Person",
            **{"permission_to_send": "implicit", **fields},
        )
        for n in range(start, start + count)
    )


def error_at(response: HttpResponse, field: str) -> str:
    """The announced error list of form field ``field`` (its ``<id>_error`` element), as text."""
    page = response.content.decode()
    found = re.search(rf'<div id="id_{field}_error" role="alert"><ul class="errorlist">(.*?)</ul>', page, re.DOTALL)
    assert found, f"no error at {field}: {page[page.find('<form') : page.find('</form>')][:3000]}"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip()


@pytest.fixture
def pages(connected: Connected) -> PageClient:
    """The signed-in owner's browser."""
    return connected.pages()


@pytest.fixture
def shop(connected: Connected) -> dict[str, Any]:
    """Lists, tags, custom fields and contacts in the connected account."""
    account = connected.account
    news = ContactList.objects.create(account=account, name="Newsletter")
    vip = ContactList.objects.create(account=account, name="VIP")
    summer = Tag.objects.create(account=account, name="Summer fair")
    colour = CustomField.objects.create(
        account=account, label="Favourite colour", name="Favourite_colour", type="string"
    )
    size = CustomField.objects.create(account=account, label="Shirt size", name="Shirt_size", type="single_select")
    CustomFieldChoice.objects.bulk_create(
        CustomFieldChoice(custom_field=size, choice_id=n, choice_label=label, display_order=n)
        for n, label in enumerate(["Small", "Medium", "Large"], start=1)
    )
    ann = Contact.objects.create(
        account=account,
        email_address="ann@example.com",
        first_name="Ann",
        last_name="Lee",
        job_title="Baker",
        company_name="Harbor Bakery",
        birthday_month=4,
        birthday_day=12,
        anniversary="2015-06-20",
        permission_to_send="explicit",
        sms_address="15551234567",
        sms_permission="explicit",
    )
    bob = Contact.objects.create(
        account=account, email_address="bob@example.com", first_name="Bob", permission_to_send="unsubscribed"
    )
    cy = Contact.objects.create(account=account, email_address="cy@example.com", permission_to_send="implicit")
    ListMembership.objects.bulk_create(
        [
            ListMembership(contact=ann, contact_list=news),
            ListMembership(contact=ann, contact_list=vip),
            ListMembership(contact=bob, contact_list=news),
        ]
    )
    Tagging.objects.create(contact=cy, tag=summer)
    Tagging.objects.create(contact=ann, tag=summer)
    CustomFieldValue.objects.create(contact=ann, custom_field=colour, value="Teal")
    CustomFieldValue.objects.create(contact=ann, custom_field=size, choice_ids=[2])
    ContactPhone.objects.create(contact=ann, phone_number="555-0100", kind="work")
    ContactAddress.objects.create(contact=ann, kind="work", street="1 Quay St", city="Portland", state="ME")
    ContactAddress.objects.create(contact=ann, kind="home", street="9 Elm Rd", city="Bath", state="ME")
    ContactNote.objects.create(contact=ann, content="Prefers morning deliveries", created_at="2024-05-01T09:00Z")
    return {
        "news": news,
        "vip": vip,
        "summer": summer,
        "colour": colour,
        "size": size,
        "ann": ann,
        "bob": bob,
        "cy": cy,
    }


# --- The list ---------------------------------------------------------------------------------------


def test_the_list_shows_each_contact_with_its_permission_lists_and_the_count(
    pages: PageClient, shop: dict[str, Any]
) -> None:
    response = pages.get(LIST_URL)

    assert emails(response) == ["ann@example.com", "bob@example.com", "cy@example.com"]
    page = text(response)
    assert "Showing 1–3 of 3 contacts" in page
    ann_row = page[page.index("ann@example.com") : page.index("bob@example.com")]
    assert "Ann Lee" in ann_row and "Explicit" in ann_row and '<td class="numeric">2</td>' in ann_row
    assert "<time datetime=" in ann_row  # updated
    assert "Unsubscribed" in page[page.index("bob@example.com") : page.index("cy@example.com")]
    # The filters offer the account's own lists, tags and segments, read through the client.
    assert ">Newsletter</option>" in page and ">VIP</option>" in page and ">Summer fair</option>" in page
    assert 'role="search"' in page and 'method="get"' in page  # works as a plain form without JavaScript


def test_paging_goes_forward_and_back_through_three_pages_by_cursor(connected: Connected, pages: PageClient) -> None:
    add_contacts(connected.account, 120)

    first = pages.get(LIST_URL)
    assert emails(first) == [f"c{n:03d}@example.com" for n in range(50)]
    assert "Showing 1–50 of 120 contacts" in text(first)
    assert pager_link(first, "prev") is None

    second_url = pager_link(first, "next")
    assert second_url and "cursor=" in second_url and "offset" not in second_url
    second = pages.get(second_url)
    assert emails(second) == [f"c{n:03d}@example.com" for n in range(50, 100)]
    assert "Showing 51–100 of 120" in text(second) and "Page 2" in text(second)

    third = pages.get(pager_link(second, "next") or "")
    assert emails(third) == [f"c{n:03d}@example.com" for n in range(100, 120)]
    assert pager_link(third, "next") is None, "the last page has no Next"

    back_to_second = pages.get(pager_link(third, "prev") or "")
    assert emails(back_to_second) == emails(second)
    back_to_first = pages.get(pager_link(back_to_second, "prev") or "")
    assert emails(back_to_first) == emails(first)
    assert pager_link(back_to_first, "prev") is None and "First page" not in text(back_to_first)
    assert emails(pages.get(pager_link(back_to_first, "next") or "")) == emails(second)


def test_paging_keeps_the_filters(connected: Connected, pages: PageClient) -> None:
    add_contacts(connected.account, 60)
    add_contacts(connected.account, 60, start=500, permission_to_send="unsubscribed")

    first = pages.get(LIST_URL, {"status": "unsubscribed"})
    assert emails(first) == [f"c{n:03d}@example.com" for n in range(500, 550)]
    second = pages.get(pager_link(first, "next") or "")
    assert emails(second) == [f"c{n:03d}@example.com" for n in range(550, 560)]
    assert 'value="unsubscribed" selected' in text(second)


def test_a_page_link_the_api_no_longer_accepts_starts_again_from_the_first_page(
    connected: Connected, pages: PageClient
) -> None:
    add_contacts(connected.account, 3)

    response = pages.get(LIST_URL, {"cursor": "limit=50&cursor=forged", "back": ""}, follow=True)

    assert response.redirect_chain == [(LIST_URL + "?", 302)]
    assert len(emails(response)) == 3 and "no longer valid" in text(response)


def test_search_by_email(pages: PageClient, shop: dict[str, Any]) -> None:
    assert emails(pages.get(LIST_URL, {"email": "BOB@example.com "})) == ["bob@example.com"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "unsubscribed"}, ["bob@example.com"]),
        ({"status": "active"}, ["ann@example.com", "cy@example.com"]),
        ({"lists": "vip"}, ["ann@example.com"]),
        ({"lists": "news"}, ["ann@example.com", "bob@example.com"]),
        ({"tags": "summer"}, ["ann@example.com", "cy@example.com"]),
        ({"lists": "news", "status": "active"}, ["ann@example.com"]),
    ],
)
def test_each_filter_narrows_the_list(
    pages: PageClient, shop: dict[str, Any], query: dict[str, str], expected: list[str]
) -> None:
    ids = {"lists": lambda name: shop[name].list_id, "tags": lambda name: shop[name].tag_id}
    params = {key: str(ids[key](value)) if key in ids else value for key, value in query.items()}

    response = pages.get(LIST_URL, params)

    assert emails(response) == expected
    assert f"of {len(expected)} contact" in text(response)


def test_a_filter_value_the_form_refuses_is_shown_at_its_field_and_not_applied(
    pages: PageClient, shop: dict[str, Any]
) -> None:
    assert "errorlist" not in text(pages.get(LIST_URL, {"status": "unsubscribed"}))

    response = pages.get(LIST_URL, {"status": "bogus", "email": "x" * 81})

    assert emails(response) == ["ann@example.com", "bob@example.com", "cy@example.com"]
    page = text(response)
    assert '<select name="status" id="id_status" aria-invalid="true" aria-describedby="id_status_error">' in page
    assert re.search(r'<ul class="errorlist" id="id_status_error"><li>Select a valid choice\.', page)
    assert re.search(r'<ul class="errorlist" id="id_email_error"><li>Ensure this value has at most 80', page)
    assert page.count('class="errorlist"') == 2


def test_the_segment_filter_lists_the_segment_alone(
    connected: Connected, pages: PageClient, shop: dict[str, Any]
) -> None:
    criteria = {
        "version": "1.0.0",
        "criteria": {
            "type": "and",
            "group": [{"source": "contact", "field": "permission_to_send", "op": "eq", "const_value": "explicit"}],
        },
    }
    segment = Segment.objects.create(account=connected.account, name="Opted in", segment_criteria=json.dumps(criteria))

    response = pages.get(LIST_URL, {"segment_id": str(segment.segment_id), "status": "unsubscribed"})

    assert emails(response) == ["ann@example.com"], "the API applies a segment on its own"
    page = text(response)
    assert ">Opted in</option>" in page and "A segment is applied on its own" in page
    assert "Showing 1–1 contact" in page  # no count: the API counts no segment


def test_an_account_without_contacts_offers_to_add_one(pages: PageClient) -> None:
    page = text(pages.get(LIST_URL))

    assert "No contacts yet." in page and 'href="/contacts/new/"' in page and 'href="/jobs/import/"' in page
    assert "<table" not in page


def test_filters_that_match_nobody_say_so(pages: PageClient, shop: dict[str, Any]) -> None:
    page = text(pages.get(LIST_URL, {"email": "nobody@example.com"}))

    assert "No contacts match these filters." in page and "No contacts yet." not in page
    assert 'href="/contacts/">Clear the filters' in page


def test_htmx_gets_only_the_rows_fragment(pages: PageClient, shop: dict[str, Any]) -> None:
    response = pages.get(LIST_URL, {"status": "unsubscribed"}, HTTP_HX_REQUEST="true")

    assert emails(response) == ["bob@example.com"]
    fragment = response.content.decode()
    assert "<table" in fragment and "<html" not in fragment and "<form" not in fragment
    assert "HX-Request" in response["Vary"]
    # A boosted request (a whole-page navigation) and a history restore get the whole page.
    assert "<html" in pages.get(LIST_URL, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true").content.decode()
    restored = pages.get(LIST_URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restored.content.decode()


# --- One contact -------------------------------------------------------------------------------------


def test_the_detail_page_shows_everything_with_names_for_ids(pages: PageClient, shop: dict[str, Any]) -> None:
    response = pages.get(f"/contacts/{shop['ann'].contact_id}/")

    assert response.status_code == 200
    page = text(response)
    for expected in (
        "ann@example.com",
        "Explicit",
        "Ann",
        "Lee",
        "Baker",
        "Harbor Bakery",
        "4/12",
        "2015-06-20",
        "555-0100",
        "1 Quay St",
        "9 Elm Rd",
        "Newsletter",
        "VIP",
        "Summer fair",
        "Favourite colour",
        "Teal",
        "Shirt size",
        "Medium",
        "Prefers morning deliveries",
        "15551234567",
    ):
        assert expected in page, expected
    assert "Ask to resubscribe" not in page, "only unsubscribed contacts are offered it"


def test_an_unknown_contact_is_a_404(pages: PageClient, connected: Connected) -> None:
    assert pages.get("/contacts/00000000-0000-4000-8000-000000000000/").status_code == 404


# --- Create and edit -----------------------------------------------------------------------------------


def test_creating_a_contact_sends_every_part_and_shows_it(
    connected: Connected, pages: PageClient, shop: dict[str, Any]
) -> None:
    form = pages.get("/contacts/new/")
    assert form.status_code == 200
    page = form.content.decode()
    assert re.search(r'<input type="email" name="email"[^>]*autofocus', page), "focus starts on the first field"
    assert '<label for="id_first_name">First name</label>' in page
    assert "Favourite colour" in page and ">Medium</option>" in page  # custom fields from the account

    response = pages.post(
        "/contacts/new/",
        {
            **_selects(),
            "email": "dee@example.com",
            "permission_to_send": "explicit",
            "first_name": "Dee",
            "last_name": "Moss",
            "job_title": "Florist",
            "company_name": "Corner Florist",
            "birthday_month": "7",
            "birthday_day": "4",
            "anniversary": "06/01/2019",
            "phone_0_number": "555-0199",
            "phone_0_kind": "mobile",
            "phone_1_number": "",
            "phone_1_kind": "work",
            "phone_2_number": "",
            "phone_2_kind": "work",
            "address_0_kind": "work",
            "address_0_street": "2 Market Sq",
            "address_0_city": "Salem",
            "address_0_state": "MA",
            "address_0_postal_code": "01970",
            "address_0_country": "US",
            "list_memberships": [str(shop["vip"].list_id)],
            "taggings": [str(shop["summer"].tag_id)],
            f"custom_field_{shop['colour'].custom_field_id.hex}": "Red",
            f"custom_field_{shop['size'].custom_field_id.hex}": "3",
        },
        follow=True,
    )

    dee = Contact.objects.get(account=connected.account, email_address="dee@example.com")
    assert response.redirect_chain == [(f"/contacts/{dee.contact_id}/", 302)]
    assert "dee@example.com was added." in text(response)
    assert (dee.first_name, dee.last_name, dee.job_title, dee.company_name) == (
        "Dee",
        "Moss",
        "Florist",
        "Corner Florist",
    )
    assert (dee.permission_to_send, dee.birthday_month, dee.birthday_day, dee.anniversary) == (
        "explicit",
        7,
        4,
        "06/01/2019",
    )
    assert list(dee.phone_numbers.values_list("phone_number", "kind")) == [("555-0199", "mobile")]
    assert list(dee.street_addresses.values_list("street", "city", "kind")) == [("2 Market Sq", "Salem", "work")]
    assert list(dee.memberships.values_list("contact_list__name", flat=True)) == ["VIP"]
    assert list(dee.taggings.values_list("tag__name", flat=True)) == ["Summer fair"]
    values = {v.custom_field.label: (v.value, v.choice_ids) for v in dee.custom_field_values.all()}
    assert values == {"Favourite colour": ("Red", []), "Shirt size": ("", [3])}
    assert "Large" in text(response)  # the detail page names the choice


def test_the_apis_validation_message_appears_at_the_field_it_names(
    connected: Connected, pages: PageClient, shop: dict[str, Any]
) -> None:
    number = CustomField.objects.create(account=connected.account, label="Visits", name="Visits", type="number")

    # The form leaves dates and numbers to the API, which reads several spellings of each.
    response = pages.post(
        "/contacts/new/",
        {
            "email": "eve@example.com",
            "permission_to_send": "implicit",
            "anniversary": "2023-02-30",
        }
        | _selects(),
    )

    assert response.status_code == 400
    assert "is not a date" in error_at(response, "anniversary")
    assert re.search(r'name="anniversary"[^>]*autofocus', response.content.decode()), "focus moves to the error"
    assert 'aria-describedby="id_anniversary_helptext id_anniversary_error"' in response.content.decode()
    assert not Contact.objects.filter(email_address="eve@example.com").exists()

    field = f"custom_field_{number.custom_field_id.hex}"
    response = pages.post(
        "/contacts/new/",
        {"email": "eve@example.com", "permission_to_send": "implicit", field: "twelve"} | _selects(),
    )
    assert "is not a number" in error_at(response, field)


def test_a_duplicate_email_is_reported_at_the_email_field(pages: PageClient, shop: dict[str, Any]) -> None:
    response = pages.post(
        "/contacts/new/",
        {"email": "ANN@example.com", "permission_to_send": "implicit"} | _selects(),
    )

    assert response.status_code == 400
    assert error_at(response, "email") == "A contact with the email address ANN@example.com already exists."
    assert Contact.objects.filter(email_address="ann@example.com").count() == 1


def test_an_empty_contact_is_refused_above_the_form_marking_each_field_that_would_do(
    pages: PageClient, shop: dict[str, Any]
) -> None:
    response = pages.post("/contacts/new/", {"permission_to_send": "implicit"} | _selects())

    assert response.status_code == 400
    page = response.content.decode()
    top = re.search(r'<div id="id_form_errors" role="alert"><ul class="errorlist nonfield">(.*?)</ul>', page)
    assert top, page[page.find("<form") : page.find("</form>")][:3000]
    assert html.unescape(re.sub(r"<[^>]+>", "", top.group(1))) == (
        "Give a first name, last name, email address or SMS number."
    )
    assert "body:" not in page
    for name in ("email", "first_name", "last_name", "sms_number"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert tag and 'aria-invalid="true"' in tag.group(0), name
        described = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
        assert described and "id_form_errors" in described.group(1).split(), name
    job_title = re.search(r'<input[^>]*name="job_title"[^>]*>', page)
    assert job_title and "aria-invalid" not in job_title.group(0)


def _selects() -> dict[str, str]:
    """The selects a browser always posts: phone and address types, SMS permission."""
    return {
        **{f"phone_{n}_kind": "work" for n in range(3)},
        **{f"address_{n}_kind": kind for n, kind in enumerate(("home", "work", "other"))},
        "sms_permission": "not_set",
    }


def test_editing_starts_from_every_current_value_and_keeps_what_the_form_does_not_show(
    connected: Connected, pages: PageClient, shop: dict[str, Any]
) -> None:
    ann = shop["ann"]
    url = f"/contacts/{ann.contact_id}/edit/"
    form = pages.get(url)
    page = form.content.decode()
    assert 'value="ann@example.com"' in page and 'value="Baker"' in page and 'value="555-0100"' in page
    assert 'value="1 Quay St"' in page and 'value="2015-06-20"' in page
    assert re.search(rf'value="{shop["vip"].list_id}"[^>]*checked', page)
    assert re.search(r'<option value="2" selected>Medium</option>', page)

    data = {
        **form_values(form),
        "first_name": "Annie",
        "phone_1_number": "555-0111",
        "phone_1_kind": "home",
        "list_memberships": [str(shop["news"].list_id)],
    }
    response = pages.post(url, data, follow=True)

    assert response.redirect_chain == [(f"/contacts/{ann.contact_id}/", 302)]
    assert "ann@example.com was saved." in text(response)
    ann.refresh_from_db()
    assert (ann.first_name, ann.last_name, ann.job_title, ann.permission_to_send) == (
        "Annie",
        "Lee",
        "Baker",
        "explicit",
    )
    assert list(ann.phone_numbers.order_by("pk").values_list("phone_number", flat=True)) == ["555-0100", "555-0111"]
    assert list(ann.memberships.values_list("contact_list__name", flat=True)) == ["Newsletter"]
    # The PUT replaces the contact: what the form does not show went back unchanged.
    assert sorted(ann.street_addresses.values_list("street", flat=True)) == ["1 Quay St", "9 Elm Rd"]
    assert list(ann.notes.values_list("content", flat=True)) == ["Prefers morning deliveries"]
    assert (ann.sms_address, ann.sms_permission) == ("15551234567", "explicit")
    assert {v.custom_field.label for v in ann.custom_field_values.all()} == {"Favourite colour", "Shirt size"}


def test_an_edit_the_api_refuses_shows_its_message_at_the_field(pages: PageClient, shop: dict[str, Any]) -> None:
    url = f"/contacts/{shop['ann'].contact_id}/edit/"
    data = {**form_values(pages.get(url)), "birthday_month": ""}

    response = pages.post(url, data)

    assert response.status_code == 400
    assert "Give both or neither" in error_at(response, "birthday_month")
    shop["ann"].refresh_from_db()
    assert shop["ann"].birthday_month == 4


# --- Delete and resubscribe ----------------------------------------------------------------------------


def test_deleting_asks_first_then_deletes(connected: Connected, pages: PageClient, shop: dict[str, Any]) -> None:
    url = f"/contacts/{shop['cy'].contact_id}/delete/"
    confirm = pages.get(url)

    page = text(confirm)
    assert "Delete cy@example.com?" in page
    assert f'href="/contacts/{shop["cy"].contact_id}/" autofocus>Cancel</a>' in page and ">Delete</button>" in page
    shop["cy"].refresh_from_db()
    assert shop["cy"].deleted_at is None, "a GET changes nothing"

    response = pages.post(url, follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "cy@example.com was deleted." in text(response)
    assert "cy@example.com" not in emails(response)
    shop["cy"].refresh_from_db()
    assert shop["cy"].deleted_at is not None


def test_a_resubscribe_email_the_service_cannot_send_is_a_page_saying_so(
    pages: PageClient, shop: dict[str, Any], settings: Any
) -> None:
    bob = shop["bob"]
    # The service's mail goes to an SMTP port that refuses connections: its real 503 reaches the page.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 5
    url = f"/contacts/{bob.contact_id}/resubscribe/"

    response = pages.post(url, {"list_ids": [str(shop["vip"].list_id)]})

    assert response.status_code == 503
    page = text(response)
    assert "Constant Contact did not answer" in page and "could not be sent" in page
    assert f'href="{url}">Try again' in response.content.decode()
    bob.refresh_from_db()
    assert bob.permission_to_send == "unsubscribed", "nothing changed"


def test_an_unsubscribed_contact_can_be_asked_to_resubscribe(pages: PageClient, shop: dict[str, Any]) -> None:
    bob = shop["bob"]
    detail = text(pages.get(f"/contacts/{bob.contact_id}/"))
    assert "Ask to resubscribe" in detail and f'action="/contacts/{bob.contact_id}/resubscribe/"' in detail

    response = pages.post(
        f"/contacts/{bob.contact_id}/resubscribe/", {"list_ids": [str(shop["vip"].list_id)]}, follow=True
    )

    assert response.redirect_chain == [(f"/contacts/{bob.contact_id}/", 302)]
    assert "Resubscribe requested for bob@example.com" in text(response)
    bob.refresh_from_db()
    assert bob.permission_to_send == "pending_confirmation"
    assert set(bob.memberships.values_list("contact_list__name", flat=True)) == {"Newsletter", "VIP"}

    again = pages.post(
        f"/contacts/{bob.contact_id}/resubscribe/", {"list_ids": [str(shop["vip"].list_id)]}, follow=True
    )
    assert "is not unsubscribed" in text(again), "the API's refusal is the flash message"


def test_resubscribing_needs_a_list(pages: PageClient, shop: dict[str, Any]) -> None:
    response = pages.post(f"/contacts/{shop['bob'].contact_id}/resubscribe/", {})

    assert response.status_code == 400
    assert error_at(response, "list_ids") == "Choose at least one list."


# --- Who may see and change what -----------------------------------------------------------------------


def test_another_workspace_cannot_reach_these_contacts(
    connect: ConnectFactory, connected: Connected, shop: dict[str, Any]
) -> None:
    stranger = connect()  # another workspace, connected to another account
    add_contacts(stranger.account, 1, start=900)
    browser = stranger.pages()
    # Even pointing the session at this workspace's connection falls back to the stranger's own.
    session = browser.session
    session[ACTIVE_CONNECTION_KEY] = connected.connection.pk
    session.save()

    assert emails(browser.get(LIST_URL)) == ["c900@example.com"]
    ann = shop["ann"].contact_id
    for path in (f"/contacts/{ann}/", f"/contacts/{ann}/edit/", f"/contacts/{ann}/delete/"):
        assert browser.get(path).status_code == 404, path
    assert browser.post(f"/contacts/{ann}/delete/").status_code == 404
    assert browser.post(f"/contacts/{ann}/edit/", {"first_name": "Mallory"}).status_code == 404
    shop["ann"].refresh_from_db()
    assert shop["ann"].deleted_at is None and shop["ann"].first_name == "Ann"


def test_viewers_read_but_do_not_change(connect: ConnectFactory, connected: Connected, shop: dict[str, Any]) -> None:
    viewer = connect(role=Role.VIEWER, owner=connected.owner)
    browser = viewer.pages()
    ann = shop["ann"].contact_id

    assert browser.get(f"/contacts/{ann}/").status_code == 200
    assert browser.get("/contacts/new/").status_code == 403
    assert browser.post(f"/contacts/{ann}/delete/").status_code == 403
    shop["ann"].refresh_from_db()
    assert shop["ann"].deleted_at is None


def test_signed_out_visitors_are_sent_to_sign_in(live_v3: Any) -> None:
    response = PageClient().get(LIST_URL)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- API errors at fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "paths", "rest"),
    [
        ("first_name: 'x' is too long", ("first_name",), "'x' is too long"),
        (
            "email_address.address: 'a@' is not an email address",
            ("email_address.address",),
            "'a@' is not an email address",
        ),
        ("phone_numbers[1].kind: 'fax' is not one of home", ("phone_numbers.1.kind",), "'fax' is not one of home"),
        (
            "birthday_month, birthday_day: give both or neither",
            ("birthday_month", "birthday_day"),
            "give both or neither",
        ),
        ("The request body is required.", (), "The request body is required."),
    ],
)
def test_api_messages_are_split_into_the_fields_they_name(message: str, paths: tuple[str, ...], rest: str) -> None:
    (found,) = api_field_errors(BadRequest(400, [ErrorDetail("api.validation.error", message)]))

    assert (found.paths, found.message) == (paths, rest)
