"""The custom field pages against the live V3 service over real HTTP: table, create, edit the label, delete."""

from __future__ import annotations

import pytest
from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.ctct import Client
from apps.v3.models import Contact, CustomField, CustomFieldChoice, CustomFieldValue
from tests.dashboard.conftest import Connected, ConnectFactory, announced_error, link_texts, page_text

FIELDS = "/contacts/custom-fields/"


@pytest.fixture
def size(connected: Connected) -> CustomField:
    """A drop-down field with three choices, chosen by one contact."""
    field = CustomField.objects.create(
        account=connected.account,
        label="Shirt size",
        name="Shirt_size",
        type="single_select",
        metadata={"display_type": "dropdown"},
    )
    CustomFieldChoice.objects.bulk_create(
        CustomFieldChoice(custom_field=field, choice_id=n, choice_label=label, display_order=n)
        for n, label in enumerate(["Small", "Medium", "Large"], start=1)
    )
    contact = Contact.objects.create(account=connected.account, email_address="ann@example.com")
    CustomFieldValue.objects.create(contact=contact, custom_field=field, choice_ids=[2])
    return field


def row_labels(page: str) -> list[str]:
    """The field labels in the table, in order."""
    return link_texts(page, FIELDS)


def test_an_account_without_custom_fields_offers_to_create_one(pages: PageClient) -> None:
    page = page_text(pages.get(FIELDS))

    assert "There are no custom fields yet" in page
    assert 'href="/contacts/custom-fields/new/">Create your first custom field</a>' in page


def test_the_table_shows_label_name_and_type(pages: PageClient, size: CustomField) -> None:
    page = page_text(pages.get(FIELDS))

    assert row_labels(page) == ["Shirt size"]
    assert "<code>Shirt_size</code>" in page and "Drop-down (one choice)" in page


def test_creating_a_text_field(pages: PageClient, api: Client) -> None:
    form = page_text(pages.get("/contacts/custom-fields/new/"))
    assert all(f'value="{kind}"' in form for kind in ("string", "number", "currency", "date", "single_select"))

    response = pages.post("/contacts/custom-fields/new/", {"label": "Favourite colour", "type": "string"}, follow=True)

    (created,) = api.contacts_custom_fields.iter_custom_fields()
    assert (created["label"], created["name"], created["type"]) == ("Favourite colour", "Favourite_colour", "string")
    assert "The custom field Favourite colour was created." in page_text(response)


def test_creating_a_drop_down_field_sends_its_choices(pages: PageClient, api: Client) -> None:
    pages.post(
        "/contacts/custom-fields/new/", {"label": "Region", "type": "single_select", "choices": "North\n\nSouth \n"}
    )

    (created,) = api.contacts_custom_fields.iter_custom_fields()
    assert [c["choice_label"] for c in created["choices"]] == ["North", "South"]


def test_choices_must_fit_the_type(pages: PageClient) -> None:
    missing = pages.post("/contacts/custom-fields/new/", {"label": "Region", "type": "multi_select"})
    stray = pages.post("/contacts/custom-fields/new/", {"label": "Notes", "type": "string", "choices": "A"})

    assert missing.status_code == stray.status_code == 400
    assert announced_error(missing, "id_choices") == "Give at least one choice, one per line."
    assert announced_error(stray, "id_choices") == "A text field has no choices; leave this empty."


def test_a_label_another_field_has_is_the_apis_conflict_at_the_label(pages: PageClient, size: CustomField) -> None:
    response = pages.post("/contacts/custom-fields/new/", {"label": "shirt size", "type": "string"})

    assert response.status_code == 400
    assert announced_error(response, "id_label") == "a custom field named 'Shirt_size' already exists"


def test_editing_the_label_keeps_the_choices_and_the_values(pages: PageClient, size: CustomField, api: Client) -> None:
    form = page_text(pages.get(f"/contacts/custom-fields/{size.custom_field_id}/edit/"))
    assert 'value="Shirt size"' in form and 'name="type"' not in form

    response = pages.post(f"/contacts/custom-fields/{size.custom_field_id}/edit/", {"label": "T-shirt size"})

    assert response.status_code == 302
    saved = api.contacts_custom_fields.get_custom_field(str(size.custom_field_id))
    assert saved["label"] == "T-shirt size"
    assert [c["choice_label"] for c in saved["choices"]] == ["Small", "Medium", "Large"]
    assert CustomFieldValue.objects.get(custom_field=size).choice_ids == [2]


def test_deleting_warns_that_values_go_too_then_deletes(pages: PageClient, size: CustomField, api: Client) -> None:
    confirm = page_text(pages.get(f"/contacts/custom-fields/{size.custom_field_id}/delete/"))
    assert "Every contact's value for Shirt size is removed with it." in confirm
    assert CustomField.objects.filter(pk=size.pk).exists()

    done = pages.post(f"/contacts/custom-fields/{size.custom_field_id}/delete/", follow=True)

    assert done.redirect_chain == [(FIELDS, 302)]
    assert "The custom field Shirt size and its values were deleted." in page_text(done)
    assert list(api.contacts_custom_fields.iter_custom_fields()) == []
    assert not CustomFieldValue.objects.exists()


def test_another_workspace_cannot_reach_these_fields(connect: ConnectFactory, size: CustomField) -> None:
    stranger = connect().pages()

    assert row_labels(page_text(stranger.get(FIELDS))) == []
    for path in ("", "edit/", "delete/"):
        assert stranger.get(f"/contacts/custom-fields/{size.custom_field_id}/{path}").status_code == 404, path
    assert stranger.post(f"/contacts/custom-fields/{size.custom_field_id}/delete/").status_code == 404
    assert CustomField.objects.filter(pk=size.pk).exists()


def test_viewers_see_fields_but_cannot_change_them(
    connect: ConnectFactory, connected: Connected, size: CustomField
) -> None:
    viewer = connect(role=Role.VIEWER, owner=connected.owner).pages()

    assert row_labels(page_text(viewer.get(FIELDS))) == ["Shirt size"]
    assert viewer.get("/contacts/custom-fields/new/").status_code == 403
    assert viewer.post(f"/contacts/custom-fields/{size.custom_field_id}/delete/").status_code == 403
