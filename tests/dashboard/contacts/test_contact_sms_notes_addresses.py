"""A contact's SMS number and permission, its notes, and its several addresses, against the live V3 service.

Each part is changed through the pages and checked through the API client; each has an input the
API refuses, shown at the field it concerns.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.ctct import Client
from apps.v3.contacts.models import Contact, ContactAddress, ContactList, ContactNote, ContactPhone, ListMembership
from tests.dashboard.conftest import Connected, ConnectFactory, announced_error, form_values, page_text


@pytest.fixture
def ann(connected: Connected) -> Contact:
    """A contact with an SMS number, a phone, two addresses, a list and a note."""
    contact = Contact.objects.create(
        account=connected.account,
        email_address="ann@example.com",
        first_name="Ann",
        job_title="Baker",
        permission_to_send="explicit",
        sms_address="15551234567",
        sms_permission="explicit",
    )
    ListMembership.objects.create(
        contact=contact, contact_list=ContactList.objects.create(account=connected.account, name="News")
    )
    ContactPhone.objects.create(contact=contact, phone_number="555-0100", kind="work")
    ContactAddress.objects.create(contact=contact, kind="work", street="1 Quay St", city="Portland")
    ContactAddress.objects.create(contact=contact, kind="home", street="9 Elm Rd", city="Bath")
    ContactNote.objects.create(contact=contact, content="Prefers mornings", created_at="2024-05-01T09:00Z")
    return contact


def edit_url(contact: Contact) -> str:
    return f"/contacts/{contact.contact_id}/edit/"


def detail_url(contact: Contact) -> str:
    return f"/contacts/{contact.contact_id}/"


# --- SMS ----------------------------------------------------------------------------------------------


def test_editing_the_sms_number_and_permission(pages: PageClient, ann: Contact, api: Client) -> None:
    form = pages.get(edit_url(ann))
    assert 'name="sms_number" value="15551234567"' in page_text(form)
    assert '<option value="explicit" selected>' in page_text(form)

    data = {**form_values(form), "sms_number": "+1 (555) 987-6543", "sms_permission": "unsubscribed"}
    response = pages.post(edit_url(ann), data, follow=True)

    assert response.redirect_chain == [(detail_url(ann), 302)]
    channel = api.contacts.get_contact(str(ann.contact_id))["sms_channel"]
    assert channel["sms_address"] == "15559876543"
    (consent,) = channel["sms_channel_consents"]
    assert (consent["sms_consent_permission"], consent["consent_type"]) == ("unsubscribed", "promotional_sms")
    page = page_text(response)
    assert "15559876543" in page and "Unsubscribed" in page and "since" in page
    ann.refresh_from_db()
    assert (ann.first_name, ann.email_address, ann.permission_to_send) == ("Ann", "ann@example.com", "explicit")


def test_a_new_contact_can_have_an_sms_number_with_explicit_permission(connected: Connected, pages: PageClient) -> None:
    data = {**form_values(pages.get("/contacts/new/")), "first_name": "Sam", "sms_number": "15550001111"}

    pages.post("/contacts/new/", {**data, "sms_permission": "explicit"})

    sam = Contact.objects.get(account=connected.account, first_name="Sam")
    assert (sam.sms_address, sam.sms_permission, sam.email_address) == ("15550001111", "explicit", "")
    assert sam.sms_consent_date is not None, "the API dates the consent"


def test_an_sms_number_the_api_refuses_is_shown_at_the_number(pages: PageClient, ann: Contact) -> None:
    data = {**form_values(pages.get(edit_url(ann))), "sms_number": "12"}

    response = pages.post(edit_url(ann), data)

    assert response.status_code == 400
    assert announced_error(response, "id_sms_number") == "'12' is not a phone number of 4 to 15 digits"
    ann.refresh_from_db()
    assert ann.sms_address == "15551234567"


def test_sms_permission_needs_a_number_and_a_number_cannot_be_blanked(
    pages: PageClient, connected: Connected, ann: Contact
) -> None:
    new = {**form_values(pages.get("/contacts/new/")), "first_name": "Sam", "sms_permission": "explicit"}
    response = pages.post("/contacts/new/", new)
    assert announced_error(response, "id_sms_number") == "Give the number this SMS permission is for."
    assert not Contact.objects.filter(account=connected.account, first_name="Sam").exists()

    blanked = pages.post(edit_url(ann), {**form_values(pages.get(edit_url(ann))), "sms_number": ""})
    assert announced_error(blanked, "id_sms_number") == "This field is required."


# --- Notes --------------------------------------------------------------------------------------------


def test_adding_a_note_keeps_everything_else(pages: PageClient, ann: Contact, api: Client) -> None:
    page = page_text(pages.get(detail_url(ann)))
    assert "Prefers mornings" in page and '<label for="id_content">New note</label>' in page

    response = pages.post(f"/contacts/{ann.contact_id}/notes/", {"content": "Ordered a wedding cake"}, follow=True)

    assert response.redirect_chain == [(detail_url(ann) + "#notes", 302)]
    assert "The note was added." in page_text(response)
    notes = api.contacts.get_contact(str(ann.contact_id), include=["notes"])["notes"]
    assert [n["content"] for n in notes] == ["Ordered a wedding cake", "Prefers mornings"]
    # The PUT carried the notes and the top-level fields only: every other part is as it was.
    ann.refresh_from_db()
    assert (ann.first_name, ann.job_title, ann.sms_address, ann.permission_to_send) == (
        "Ann",
        "Baker",
        "15551234567",
        "explicit",
    )
    assert ann.street_addresses.count() == 2 and ann.phone_numbers.count() == 1 and ann.memberships.count() == 1


def test_htmx_gets_the_notes_section_back(pages: PageClient, ann: Contact) -> None:
    url = f"/contacts/{ann.contact_id}/notes/"

    added = pages.post(url, {"content": "Call after 10"}, headers={"HX-Request": "true"})
    empty = pages.post(url, {"content": "  "}, headers={"HX-Request": "true"})

    assert added.status_code == 200
    fragment = page_text(added)
    assert fragment.lstrip().startswith('<section class="panel" id="notes"') and "<html" not in fragment
    assert "The note was added." in fragment and "Call after 10" in fragment and "Prefers mornings" in fragment
    # htmx swaps no 4xx, so the fragment with the error is a 200.
    assert empty.status_code == 200
    assert announced_error(empty, "id_content") == "Write the note first."


def test_the_151st_note_is_the_apis_refusal_at_the_note(pages: PageClient, ann: Contact) -> None:
    ContactNote.objects.bulk_create(
        ContactNote(contact=ann, content=f"Note {n}", created_at="2024-05-02T09:00Z") for n in range(149)
    )
    assert "the most the API keeps" in page_text(pages.get(detail_url(ann)))

    # Posted anyway (a page opened before the 150th note was added elsewhere).
    response = pages.post(f"/contacts/{ann.contact_id}/notes/", {"content": "One more"})

    assert response.status_code == 400
    assert announced_error(response, "id_content") == "At most 150 items are allowed, got 151"
    assert ann.notes.count() == 150


def test_deleting_a_note_asks_first(pages: PageClient, ann: Contact) -> None:
    kept = ContactNote.objects.create(contact=ann, content="Keep me", created_at="2024-06-01T09:00Z")
    gone = ann.notes.get(content="Prefers mornings")
    url = f"/contacts/{ann.contact_id}/notes/{gone.note_id}/delete/"
    assert f'href="{url}"' in page_text(pages.get(detail_url(ann)))

    confirm = page_text(pages.get(url))
    assert "Delete this note about ann@example.com?" in confirm and "Prefers mornings" in confirm
    assert ann.notes.filter(pk=gone.pk).exists()

    response = pages.post(url, follow=True)

    assert "The note was deleted." in page_text(response)
    assert list(ann.notes.values_list("content", flat=True)) == ["Keep me"]
    assert ann.notes.get().note_id == kept.note_id, "the kept note keeps its id"
    assert pages.get(url).status_code == 404


def test_a_contact_without_notes_says_so(pages: PageClient, connected: Connected) -> None:
    cy = Contact.objects.create(account=connected.account, email_address="cy@example.com")

    assert "No notes yet." in page_text(pages.get(detail_url(cy)))


def test_viewers_see_notes_but_cannot_add_or_delete(
    connect: ConnectFactory, connected: Connected, ann: Contact
) -> None:
    viewer = connect(role=Role.VIEWER, owner=connected.owner).pages()
    note = ann.notes.get()

    page = page_text(viewer.get(detail_url(ann)))
    assert "Prefers mornings" in page and "New note" not in page and "Delete note" not in page
    assert viewer.post(f"/contacts/{ann.contact_id}/notes/", {"content": "x"}).status_code == 403
    assert viewer.post(f"/contacts/{ann.contact_id}/notes/{note.note_id}/delete/").status_code == 403
    assert ann.notes.count() == 1


# --- Addresses ----------------------------------------------------------------------------------------


def test_every_address_is_edited_added_or_removed(pages: PageClient, ann: Contact, api: Client) -> None:
    form = pages.get(edit_url(ann))
    page = page_text(form)
    assert 'name="address_0_street" value="1 Quay St"' in page and 'name="address_1_street" value="9 Elm Rd"' in page
    assert 'name="address_2_street"' in page

    data: dict[str, Any] = {
        **form_values(form),
        **{f"address_0_{part}": "" for part in ("street", "city", "state", "postal_code", "country")},
        "address_1_city": "Bath Spa",
        "address_2_kind": "other",
        "address_2_street": "PO Box 7",
        "address_2_postal_code": "04101",
        "phone_1_number": "555-0101",
        "phone_2_number": "555-0102",
        "phone_2_kind": "mobile",
    }
    pages.post(edit_url(ann), data)

    saved = api.contacts.get_contact(str(ann.contact_id), include=["street_addresses", "phone_numbers"])
    addresses = [(a["kind"], a.get("street"), a.get("city"), a.get("postal_code")) for a in saved["street_addresses"]]
    assert sorted(addresses, key=str) == sorted(
        [("home", "9 Elm Rd", "Bath Spa", None), ("other", "PO Box 7", None, "04101")], key=str
    )
    assert sorted(p["phone_number"] for p in saved["phone_numbers"]) == ["555-0100", "555-0101", "555-0102"]


def test_an_address_part_the_api_refuses_is_shown_at_that_address(pages: PageClient, ann: Contact) -> None:
    data = {
        **form_values(pages.get(edit_url(ann))),
        **{f"address_0_{part}": "" for part in ("street", "city")},
        "address_1_city": "B" * 51,  # the first address sent, since the first slot is now empty
    }

    response = pages.post(edit_url(ann), data)

    assert response.status_code == 400
    assert announced_error(response, "id_address_1_city").endswith("is too long")
    assert announced_error(response, "id_address_0_city") == ""
    assert sorted(ann.street_addresses.values_list("city", flat=True)) == ["Bath", "Portland"]
