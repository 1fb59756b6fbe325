"""The custom field pages against the live V3 service over real HTTP: table, create, edit the label and
the choices, delete."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.ctct import Client
from apps.v3.contacts.models import Contact, CustomField, CustomFieldChoice, CustomFieldValue
from tests.dashboard.conftest import Connected, ConnectFactory, announced_error, form_values, link_texts, page_text

FIELDS = "/contacts/custom-fields/"


def select_field(account: Any, label: str, kind: str, display_type: str, choices: list[str]) -> CustomField:
    """A select field of ``account`` offering ``choices`` (ids 1..n, in that order)."""
    field = CustomField.objects.create(
        account=account, label=label, name=label.replace(" ", "_"), type=kind, metadata={"display_type": display_type}
    )
    CustomFieldChoice.objects.bulk_create(
        CustomFieldChoice(custom_field=field, choice_id=n, choice_label=choice, display_order=n)
        for n, choice in enumerate(choices, start=1)
    )
    return field


@pytest.fixture
def size(connected: Connected) -> CustomField:
    """A drop-down field with three choices, chosen by one contact."""
    field = select_field(connected.account, "Shirt size", "single_select", "dropdown", ["Small", "Medium", "Large"])
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
    assert announced_error(response, "id_label") == "A custom field named “shirt size” already exists."


def test_editing_the_label_keeps_the_choices_and_the_values(pages: PageClient, size: CustomField, api: Client) -> None:
    form = pages.get(f"/contacts/custom-fields/{size.custom_field_id}/edit/")
    assert 'value="Shirt size"' in page_text(form) and 'name="type"' not in page_text(form)

    response = pages.post(
        f"/contacts/custom-fields/{size.custom_field_id}/edit/", {**form_values(form), "label": "T-shirt size"}
    )

    assert response.status_code == 302
    saved = api.contacts_custom_fields.get_custom_field(str(size.custom_field_id))
    assert saved["label"] == "T-shirt size"
    assert [c["choice_label"] for c in saved["choices"]] == ["Small", "Medium", "Large"]
    assert CustomFieldValue.objects.get(custom_field=size).choice_ids == [2]


def test_a_text_field_has_no_choices_to_edit(pages: PageClient, connected: Connected, api: Client) -> None:
    field = CustomField.objects.create(account=connected.account, label="Nickname", name="Nickname", type="string")

    form = page_text(pages.get(f"/contacts/custom-fields/{field.custom_field_id}/edit/"))
    assert "Choices" not in form and "choice_0_label" not in form

    response = pages.post(f"/contacts/custom-fields/{field.custom_field_id}/edit/", {"label": "Alias"}, follow=True)
    assert "The custom field is now labelled Alias." in page_text(response)
    assert api.contacts_custom_fields.get_custom_field(str(field.custom_field_id))["label"] == "Alias"


def _choices_url(field: CustomField) -> str:
    return f"/contacts/custom-fields/{field.custom_field_id}/edit/"


def test_choices_are_renamed_reordered_removed_and_added(pages: PageClient, size: CustomField, api: Client) -> None:
    form = pages.get(_choices_url(size))
    page = page_text(form)
    # Three choices and three blank rows, each choice with its id, label and position.
    assert 'name="rows" value="6"' in page
    assert 'name="choice_1_id" value="2"' in page and 'name="choice_1_label" value="Medium"' in page
    assert 'name="choice_3_label"' in page and 'name="choice_6_label"' not in page

    data = {
        **form_values(form),
        "choice_0_label": "Extra small",  # renamed, second
        "choice_0_order": "2",
        "choice_1_order": "3",  # Medium moves last
        "choice_2_remove": "on",  # Large goes
        "choice_3_label": "Huge",  # a new one, first
        "choice_3_order": "1",
    }
    response = pages.post(_choices_url(size), data, follow=True)

    assert "The custom field Shirt size and its choices were saved." in page_text(response)
    saved = api.contacts_custom_fields.get_custom_field(str(size.custom_field_id))
    assert [(c["choice_id"], c["choice_label"]) for c in saved["choices"]] == [
        (4, "Huge"),
        (1, "Extra small"),
        (2, "Medium"),
    ]
    # The contact who chose Medium (id 2) still has it: the ids of kept choices were sent back.
    assert CustomFieldValue.objects.get(custom_field=size).choice_ids == [2]


def test_a_repeated_choice_label_is_the_apis_refusal_at_that_row(
    pages: PageClient, size: CustomField, api: Client
) -> None:
    form = pages.get(_choices_url(size))

    response = pages.post(_choices_url(size), {**form_values(form), "choice_3_label": "Medium"})

    assert response.status_code == 400
    assert announced_error(response, "id_choice_3_label") == "'Medium' is repeated"
    assert 'name="choice_3_label" value="Medium"' in page_text(response), "what was typed stays"
    saved = api.contacts_custom_fields.get_custom_field(str(size.custom_field_id))
    assert [c["choice_label"] for c in saved["choices"]] == ["Small", "Medium", "Large"]


def test_a_checkbox_field_offers_at_most_twenty_choices_the_api_says(
    pages: PageClient, connected: Connected, api: Client
) -> None:
    toppings = select_field(
        connected.account, "Toppings", "multi_select", "checkbox", [f"Topping {n}" for n in range(1, 21)]
    )
    form = pages.get(_choices_url(toppings))

    response = pages.post(_choices_url(toppings), {**form_values(form), "choice_20_label": "Anchovies"})

    assert response.status_code == 400
    # The limit depends on the display type, which only the API knows: its message sits above the rows.
    assert "a checkbox field offers at most 20 choices, got 21" in page_text(response)
    assert len(api.contacts_custom_fields.get_custom_field(str(toppings.custom_field_id))["choices"]) == 20


def test_a_choice_left_without_a_label_must_be_removed_instead(pages: PageClient, size: CustomField) -> None:
    form = pages.get(_choices_url(size))

    response = pages.post(_choices_url(size), {**form_values(form), "choice_0_label": " "})

    assert response.status_code == 400
    assert announced_error(response, "id_choice_0_label") == "Give the choice a label, or tick Remove."


def test_more_rows_keep_what_was_typed(pages: PageClient, size: CustomField) -> None:
    typed = {**form_values(pages.get(_choices_url(size))), "choice_3_label": "Huge", "more_rows": "1"}

    page = page_text(pages.post(_choices_url(size), typed))
    fragment = page_text(pages.post(_choices_url(size), typed, headers={"HX-Request": "true"}))

    for html in (page, fragment):
        assert 'name="rows" value="11"' in html and 'name="choice_10_label"' in html
        assert 'name="choice_3_label" value="Huge"' in html and 'name="choice_0_label" value="Small"' in html
        assert "errorlist" not in html, "nothing is checked before saving"
    assert "<html" in page and "<html" not in fragment and fragment.lstrip().startswith('<div id="choice-rows">')
    assert CustomFieldChoice.objects.filter(custom_field=size).count() == 3


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
