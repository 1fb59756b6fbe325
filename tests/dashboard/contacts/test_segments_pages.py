"""The segment pages against the live V3 service over real HTTP: the criteria builder, preview, edit, delete.

The builder's rows become the service's ``segment_criteria``; the tests check both the JSON saved
and, through the API, that it selects exactly the contacts it should.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.contacts.segment_builder import MATCH_ALL, MATCH_ANY, Row, condition_error, from_criteria, to_criteria
from apps.ctct import Client
from apps.v3.contacts.models import (
    Contact,
    ContactList,
    CustomField,
    CustomFieldValue,
    ListMembership,
    Segment,
    Tag,
    Tagging,
)
from tests.dashboard.conftest import Connected, ConnectFactory, announced_error, link_texts, page_text

SEGMENTS = "/contacts/segments/"
NEW = "/contacts/segments/new/"
PREVIEW = "/contacts/segments/preview/"
HTMX = {"HX-Request": "true"}


# --- The builder's translation, on its own ---------------------------------------------------------


def test_rows_joined_by_all_are_the_top_level_and_group() -> None:
    rows = [
        Row("contact", "first_name", "contains", " an "),
        Row("contact", "birthday_month", "in", "4, 5"),
        Row("custom_field", "7d2c3f1e-0000-4000-8000-000000000001", "is-empty"),
        Row("list_membership", "7d2c3f1e-0000-4000-8000-000000000002", "contains-none"),
    ]

    criteria = json.loads(to_criteria(rows, MATCH_ALL))

    assert criteria == {
        "version": "1.0.0",
        "criteria": {
            "type": "and",
            "group": [
                {"source": "contact", "field": "first_name", "op": "contains", "const_value": "an"},
                {"source": "contact", "field": "birthday_month", "op": "in", "const_value": [4, 5]},
                {
                    "source": "contact",
                    "field": "custom_field",
                    "op": "is-empty",
                    "param": "7d2c3f1e-0000-4000-8000-000000000001",
                },
                {
                    "source": "list_membership",
                    "field": "list_id",
                    "op": "contains-none",
                    "const_value": ["7d2c3f1e-0000-4000-8000-000000000002"],
                },
            ],
        },
    }
    # Read back, values are as the builder writes them: trimmed, lists comma-joined.
    assert from_criteria(json.dumps(criteria)) == (
        MATCH_ALL,
        [Row("contact", "first_name", "contains", "an"), *rows[1:]],
    )


def test_rows_joined_by_any_nest_one_or_group_and_read_back() -> None:
    rows = [
        Row("tags", "7d2c3f1e-0000-4000-8000-000000000003", "contains-any"),
        Row("contact", "created_at", "between", "2024-01-01, 2024-02-01"),
    ]

    text = to_criteria(rows, MATCH_ANY)

    assert json.loads(text)["criteria"]["group"][0]["type"] == "or"
    assert json.loads(text)["criteria"]["group"][0]["group"][1]["const_value"] == ["2024-01-01", "2024-02-01"]
    assert from_criteria(text) == (MATCH_ANY, rows)


@pytest.mark.parametrize(
    "criteria",
    [
        {"criteria": {"type": "and", "group": [{"type": "and", "group": [{"type": "or", "group": []}]}]}},
        {"criteria": {"type": "and", "group": [{"source": "tracking", "field": "opened", "op": "contains-any"}]}},
        {
            "criteria": {
                "type": "and",
                "group": [{"source": "tags", "field": "tag_id", "op": "contains-any", "const_value": ["a", "b"]}],
            }
        },
    ],
)
def test_criteria_of_other_shapes_are_not_builder_rows(criteria: dict[str, Any]) -> None:
    from apps.contacts.segment_builder import NotBuildable

    with pytest.raises(NotBuildable):
        from_criteria(json.dumps(criteria))


def test_the_services_error_places_name_a_row_and_its_column() -> None:
    assert condition_error("segment_criteria: criteria.group[2].const_value: 'x' is not a date", MATCH_ALL) == (
        2,
        "value",
        "'x' is not a date",
    )
    assert condition_error("segment_criteria: criteria.group[0].group[1].op: 'on' is not ...", MATCH_ANY) == (
        1,
        "op",
        "'on' is not ...",
    )
    assert condition_error("segment_criteria: criteria.group[0].param: 'x' is not a UUID", MATCH_ALL)[1] == "field"  # type: ignore[index]
    assert condition_error("segment_criteria: criteria: list_membership conditions combine only", MATCH_ALL) is None


# --- Pages ------------------------------------------------------------------------------------------


@pytest.fixture
def shop(connected: Connected) -> dict[str, Any]:
    """Contacts with names, a list, a tag and a custom field to segment by."""
    account = connected.account
    news = ContactList.objects.create(account=account, name="Newsletter")
    vip = ContactList.objects.create(account=account, name="VIP")
    summer = Tag.objects.create(account=account, name="Summer fair")
    colour = CustomField.objects.create(account=account, label="Colour", name="Colour", type="string")
    people = {
        name: Contact.objects.create(
            account=account, email_address=f"{name}@example.com", first_name=name.title(), birthday_month=month
        )
        for name, month in (("ann", 4), ("dana", 4), ("bob", 7), ("cy", None))
    }
    for name in ("ann", "bob"):
        ListMembership.objects.create(contact=people[name], contact_list=news)
    Tagging.objects.create(contact=people["cy"], tag=summer)
    CustomFieldValue.objects.create(contact=people["dana"], custom_field=colour, value="Teal")
    return {"news": news, "vip": vip, "summer": summer, "colour": colour, **people}


def builder_post(name: str, match: str, *rows: tuple[str, Any, str, str], **extra: str) -> dict[str, Any]:
    """The builder form's POST: a name, all/any, and (source, field, op, value) rows."""
    data: dict[str, Any] = {
        "name": name,
        "match": match,
        "conditions-TOTAL_FORMS": str(len(rows)),
        "conditions-INITIAL_FORMS": str(len(rows)),
        "conditions-MIN_NUM_FORMS": "1",
        "conditions-MAX_NUM_FORMS": "50",
        **extra,
    }
    for i, (source, field, op, value) in enumerate(rows):
        data.update({f"conditions-{i}-source": source, f"conditions-{i}-field": str(field)})
        data.update({f"conditions-{i}-op": op, f"conditions-{i}-value": value})
    return data


def selected(api: Client, segment_id: int) -> set[str]:
    """The email addresses the saved segment selects, read through the API."""
    return {c["email_address"]["address"] for c in api.contacts.iter_contacts(segment_id=str(segment_id))}


def row_count(page: str) -> int:
    """How many condition rows the builder shows."""
    return len(re.findall(r'name="conditions-\d+-source"', page))


def test_an_account_without_segments_offers_to_build_one(pages: PageClient) -> None:
    page = page_text(pages.get(SEGMENTS))

    assert "There are no segments yet" in page and 'href="/contacts/segments/new/">Build your first segment</a>' in page


def test_the_new_segment_page_starts_with_one_condition(pages: PageClient, shop: dict[str, Any]) -> None:
    page = page_text(pages.get(NEW))

    assert row_count(page) == 1
    assert '<option value="email_address" selected>Email address</option>' in page
    assert '<option value="contains" selected>contains</option>' in page
    assert 'value="all"' in page and 'value="any"' in page


def test_all_conditions_select_contacts_matching_every_row(
    pages: PageClient, shop: dict[str, Any], api: Client
) -> None:
    data = builder_post(
        "April readers",
        "all",
        ("contact", "birthday_month", "eq", "4"),
        ("list_membership", shop["news"].list_id, "contains-any", ""),
    )

    response = pages.post(NEW, data)

    segment = Segment.objects.get(name="April readers")
    assert response.status_code == 302 and response["Location"] == f"/contacts/segments/{segment.pk}/"
    assert json.loads(segment.segment_criteria)["criteria"] == {
        "type": "and",
        "group": [
            {"source": "contact", "field": "birthday_month", "op": "eq", "const_value": 4},
            {
                "source": "list_membership",
                "field": "list_id",
                "op": "contains-any",
                "const_value": [str(shop["news"].list_id)],
            },
        ],
    }
    assert selected(api, segment.pk) == {"ann@example.com"}
    detail = page_text(pages.get(response["Location"]))
    assert "The segment April readers was saved." in detail
    assert "Birthday month is 4" in detail and "is a member of Newsletter" in detail
    assert "1 contact matches" in detail and "ann@example.com" in detail


def test_any_condition_selects_contacts_matching_one_row(pages: PageClient, shop: dict[str, Any], api: Client) -> None:
    data = builder_post(
        "Teal or tagged",
        "any",
        ("custom_field", shop["colour"].custom_field_id, "eq", "teal"),
        ("tags", shop["summer"].tag_id, "contains-any", ""),
    )

    assert pages.post(NEW, data).status_code == 302

    segment = Segment.objects.get(name="Teal or tagged")
    assert selected(api, segment.pk) == {"dana@example.com", "cy@example.com"}


def test_negative_and_empty_operators(pages: PageClient, shop: dict[str, Any], api: Client) -> None:
    data = builder_post(
        "Not on the list, with a birthday",
        "all",
        ("list_membership", shop["news"].list_id, "contains-none", ""),
        ("contact", "birthday_month", "is-not-empty", ""),
    )

    assert pages.post(NEW, data).status_code == 302

    assert selected(api, Segment.objects.get().pk) == {"dana@example.com"}


def test_add_condition_without_javascript_re_renders_one_more_row(pages: PageClient, shop: dict[str, Any]) -> None:
    data = builder_post("Draft", "all", ("contact", "first_name", "eq", "Ann"), builder="add")

    response = pages.post(NEW, data)

    page = page_text(response)
    assert response.status_code == 200 and "<html" in page and row_count(page) == 2
    assert 'value="Draft"' in page and 'value="Ann"' in page
    assert re.search(r'<select name="conditions-1-source"[^>]*autofocus', page)
    assert 'role="alert"' not in page  # an unfinished row is not an error yet
    assert not Segment.objects.exists()


def test_htmx_gets_only_the_builder(pages: PageClient, shop: dict[str, Any]) -> None:
    two = builder_post("Draft", "all", ("contact", "first_name", "eq", "Ann"), ("contact", "last_name", "eq", "Lee"))

    added = page_text(pages.post(NEW, {**two, "builder": "add"}, headers=HTMX))
    removed = page_text(pages.post(NEW, {**two, "remove": "0"}, headers=HTMX))

    assert added.lstrip().startswith('<div id="segment-builder"') and "<html" not in added
    assert row_count(added) == 3 and 'name="name"' not in added
    assert row_count(removed) == 1 and 'value="Lee"' in removed and 'value="Ann"' not in removed


def test_changing_the_source_re_offers_fitting_fields_and_operators(pages: PageClient, shop: dict[str, Any]) -> None:
    data = builder_post("Draft", "all", ("tags", "email_address", "contains", "x"), builder="refresh")

    page = page_text(pages.post(NEW, data, headers=HTMX))

    assert f'<option value="{shop["summer"].tag_id}">Summer fair</option>' in page
    assert "Email address" not in page
    assert '<option value="contains-any">has the tag</option>' in page and ">contains<" not in page
    assert 'name="conditions-0-value"' not in page  # a tag row needs no value box


def test_incomplete_rows_are_errors_at_their_fields(pages: PageClient, shop: dict[str, Any]) -> None:
    data = builder_post("", "all", ("contact", "first_name", "eq", ""), ("contact", "created_at", "contains", "x"))

    response = pages.post(NEW, data)

    assert response.status_code == 400
    assert announced_error(response, "id_name") == "This field is required."
    assert announced_error(response, "id_conditions-0-value") == "Enter a value for this operator."
    assert announced_error(response, "id_conditions-1-op") == "Choose an operator that applies to this field."
    assert not Segment.objects.exists()


def test_the_apis_criteria_errors_appear_in_the_builder(pages: PageClient, shop: dict[str, Any]) -> None:
    bad_date = builder_post("Bad date", "all", ("contact", "created_at", "on", "yesterday"))
    two_lists = builder_post(
        "Both lists",
        "all",
        ("list_membership", shop["news"].list_id, "contains-any", ""),
        ("list_membership", shop["vip"].list_id, "contains-any", ""),
    )

    at_row = pages.post(NEW, bad_date)
    above = pages.post(NEW, two_lists)

    assert at_row.status_code == above.status_code == 400
    assert announced_error(at_row, "id_conditions-0-value") == "'yesterday' is not a date (YYYY-MM-DD)"
    assert re.search(
        r'<div role="alert"><ul class="errorlist"><li>criteria: list_membership conditions combine only',
        page_text(above),
    )
    assert not Segment.objects.exists()


def test_a_duplicate_name_is_the_apis_conflict_at_the_name(pages: PageClient, shop: dict[str, Any]) -> None:
    Segment.objects.create(account=shop["ann"].account, name="Taken", segment_criteria="{}")

    response = pages.post(NEW, builder_post("Taken", "all", ("contact", "first_name", "eq", "Ann")))

    assert response.status_code == 400
    assert announced_error(response, "id_name") == "A segment named “Taken” already exists."


def test_preview_counts_unsaved_criteria_and_leaves_no_segment_behind(pages: PageClient, shop: dict[str, Any]) -> None:
    data = builder_post("", "all", ("contact", "birthday_month", "eq", "4"))

    response = pages.post(PREVIEW, data, headers=HTMX)

    fragment = page_text(response)
    assert response.status_code == 200 and fragment.lstrip().startswith('<div id="segment-builder"')
    assert "2 contacts match:" in fragment
    assert "ann@example.com" in fragment and "dana@example.com" in fragment and "bob@example.com" not in fragment
    assert announced_error(response, "id_name") == ""  # a preview needs no name
    assert not Segment.objects.filter(deleted_at__isnull=True).exists()


def test_preview_without_javascript_shows_the_whole_page(pages: PageClient, shop: dict[str, Any]) -> None:
    data = builder_post("Keep me", "any", ("contact", "email_address", "starts-with", "bob"))

    page = page_text(pages.post(PREVIEW, data))

    assert "<html" in page and 'action="/contacts/segments/new/"' in page and 'value="Keep me"' in page
    assert "1 contact matches:" in page and "bob@example.com" in page


def test_preview_shows_the_apis_errors_at_the_row(pages: PageClient, shop: dict[str, Any]) -> None:
    response = pages.post(PREVIEW, builder_post("", "any", ("contact", "created_at", "before", "soon")), headers=HTMX)

    assert announced_error(response, "id_conditions-0-value") == "'soon' is not a date (YYYY-MM-DD)"
    assert "contacts match" not in page_text(response)
    assert not Segment.objects.filter(deleted_at__isnull=True).exists()


def test_the_list_shows_segments_but_not_preview_drafts(pages: PageClient, shop: dict[str, Any]) -> None:
    account = shop["ann"].account
    for name in ("Beta", "Alpha", "__preview 1234"):
        Segment.objects.create(account=account, name=name, segment_criteria="{}")

    by_date = page_text(pages.get(SEGMENTS))
    by_name = page_text(pages.get(SEGMENTS + "?sort=name"))

    assert link_texts(by_date, SEGMENTS) == ["Alpha", "Beta"]  # most recently edited first
    assert link_texts(by_name, SEGMENTS) == ["Alpha", "Beta"] and "__preview" not in by_name


def test_editing_shows_the_saved_rows_and_a_new_name_alone_is_a_rename(
    pages: PageClient, shop: dict[str, Any], api: Client
) -> None:
    pages.post(NEW, builder_post("Teal", "any", ("custom_field", shop["colour"].custom_field_id, "eq", "Teal")))
    segment = Segment.objects.get()
    criteria = segment.segment_criteria

    form = page_text(pages.get(f"/contacts/segments/{segment.pk}/edit/"))
    assert 'value="Teal"' in form and re.search(r'value="any"[^>]* checked>', form)
    assert f'<option value="{shop["colour"].custom_field_id}" selected>Colour</option>' in form

    renamed = pages.post(
        f"/contacts/segments/{segment.pk}/edit/",
        builder_post("Teal fans", "any", ("custom_field", shop["colour"].custom_field_id, "eq", "Teal")),
    )

    assert renamed.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Teal fans" and segment.segment_criteria == criteria

    pages.post(
        f"/contacts/segments/{segment.pk}/edit/",
        builder_post("Teal fans", "all", ("contact", "first_name", "starts-with", "B")),
    )
    assert selected(api, segment.pk) == {"bob@example.com"}


def test_criteria_the_builder_cannot_show_are_edited_as_json(pages: PageClient, shop: dict[str, Any]) -> None:
    tracking = json.dumps(
        {
            "criteria": {
                "type": "and",
                "group": [
                    {
                        "source": "tracking",
                        "field": "opened",
                        "op": "contains-any",
                        "const_value": "last-n-days",
                        "param": 30,
                    }
                ],
            }
        }
    )
    segment = Segment.objects.create(account=shop["ann"].account, name="Openers", segment_criteria=tracking)

    form = page_text(pages.get(f"/contacts/segments/{segment.pk}/edit/"))
    assert 'name="segment_criteria"' in form and "conditions-0-source" not in form

    broken = pages.post(f"/contacts/segments/{segment.pk}/edit/", {"name": "Openers", "segment_criteria": "{nope"})
    assert broken.status_code == 400
    assert announced_error(broken, "id_segment_criteria").startswith("Not valid JSON")

    saved = pages.post(
        f"/contacts/segments/{segment.pk}/edit/", {"name": "Recent openers", "segment_criteria": tracking}
    )
    assert saved.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Recent openers"


def test_criteria_the_api_will_not_evaluate_are_reported_on_the_segments_page(
    pages: PageClient, shop: dict[str, Any]
) -> None:
    segment = Segment.objects.create(account=shop["ann"].account, name="Broken", segment_criteria="{}")

    response = pages.get(f"/contacts/segments/{segment.pk}/")

    assert response.status_code == 200
    assert "Constant Contact could not evaluate these criteria: segment_criteria: criteria: is required" in page_text(
        response
    )


def test_deleting_asks_first_then_deletes(pages: PageClient, shop: dict[str, Any], api: Client) -> None:
    segment = Segment.objects.create(account=shop["ann"].account, name="Old", segment_criteria="{}")

    confirm = page_text(pages.get(f"/contacts/segments/{segment.pk}/delete/"))
    assert "Delete the segment Old?" in confirm
    assert [s["name"] for s in api.segments.iter_account_segments()] == ["Old"]

    done = pages.post(f"/contacts/segments/{segment.pk}/delete/", follow=True)

    assert done.redirect_chain == [(SEGMENTS, 302)] and "The segment Old was deleted." in page_text(done)
    assert list(api.segments.iter_account_segments()) == []


def test_another_workspace_cannot_reach_these_segments(connect: ConnectFactory, shop: dict[str, Any]) -> None:
    segment = Segment.objects.create(account=shop["ann"].account, name="Ours", segment_criteria="{}")
    stranger = connect().pages()

    assert "Ours" not in page_text(stranger.get(SEGMENTS))
    for path in ("", "edit/", "delete/"):
        assert stranger.get(f"/contacts/segments/{segment.pk}/{path}").status_code == 404, path
    assert stranger.post(f"/contacts/segments/{segment.pk}/delete/").status_code == 404
    assert (
        stranger.post(
            PREVIEW, builder_post("", "all", ("contact", "first_name", "eq", "A"), segment=str(segment.pk))
        ).status_code
        == 404
    )
    segment.refresh_from_db()
    assert segment.deleted_at is None


def test_viewers_see_segments_but_cannot_change_or_preview(
    connect: ConnectFactory, connected: Connected, shop: dict[str, Any]
) -> None:
    segment = Segment.objects.create(account=connected.account, name="Ours", segment_criteria="{}")
    viewer = connect(role=Role.VIEWER, owner=connected.owner).pages()

    assert "Ours" in page_text(viewer.get(SEGMENTS))
    assert viewer.get(NEW).status_code == 403
    assert viewer.post(PREVIEW, builder_post("", "all", ("contact", "first_name", "eq", "A"))).status_code == 403
    assert viewer.post(f"/contacts/segments/{segment.pk}/delete/").status_code == 403


# --- The segment on the contacts page -----------------------------------------------------------


def test_show_them_all_lists_the_segments_contacts_on_the_contacts_page(
    pages: PageClient, shop: dict[str, Any]
) -> None:
    pages.post(NEW, builder_post("April", "all", ("contact", "birthday_month", "eq", "4")))
    segment = Segment.objects.get()

    detail = page_text(pages.get(f"/contacts/segments/{segment.pk}/"))
    link = re.search(r'<a href="([^"]+)">Show them all on the contacts page</a>', detail)
    assert link is not None and link.group(1) == f"/contacts/?segment_id={segment.pk}"

    listed = page_text(pages.get(link.group(1)))
    assert re.findall(r">(\w+@example\.com)</a>", listed) == ["ann@example.com", "dana@example.com"]
    assert f'<option value="{segment.pk}" selected>April</option>' in listed


def test_a_parameter_the_contacts_page_does_not_read_lists_nobody_and_says_so(
    pages: PageClient, shop: dict[str, Any]
) -> None:
    response = pages.get("/contacts/", {"segment": "7"})

    page = page_text(response)
    assert re.search(r'role="alert">No contacts are listed: this page has no filter called segment\.<', page)
    assert "@example.com</a>" not in page
    # Paging parameters are known.
    assert "ann@example.com</a>" in page_text(pages.get("/contacts/", {"page": "1", "back": ""}))


# --- Operators and values that fit the field ---------------------------------------------------


def operators(page: str) -> list[str]:
    """The operator values the first row offers."""
    found = re.search(r'<select name="conditions-0-op".*?</select>', page, re.S)
    return re.findall(r'<option value="([^"]+)"', found.group(0)) if found else []


def test_a_drop_down_custom_field_offers_its_operators_and_its_choices(
    connected: Connected, pages: PageClient, shop: dict[str, Any], api: Client
) -> None:
    size = CustomField.objects.create(account=connected.account, label="Size", name="Size", type="single_select")
    for order, label in enumerate(("Small", "Large"), start=1):
        size.choices.create(choice_id=order, choice_label=label, display_order=order)
    CustomFieldValue.objects.create(contact=shop["bob"], custom_field=size, value="Large")
    row = ("custom_field", size.custom_field_id, "before", "")

    page = page_text(pages.post(NEW, builder_post("Big", "all", row, builder="refresh"), headers=HTMX))

    assert operators(page) == ["eq", "ne", "in", "not-in", "is-empty", "is-not-empty"]
    value = re.search(r'<select name="conditions-0-value".*?</select>', page, re.S)
    assert value is not None and re.findall(r"<option[^>]*>(\w+)</option>", value.group(0)) == ["Small", "Large"]

    many = ("custom_field", size.custom_field_id, "in", "")
    page = page_text(pages.post(NEW, builder_post("Big", "all", many, builder="refresh"), headers=HTMX))
    assert '<select name="conditions-0-value"' in page and " multiple" in page

    data = builder_post("Big", "all", many)
    data["conditions-0-value"] = ["Small", "Large"]
    assert pages.post(NEW, data).status_code == 302
    segment = Segment.objects.get(name="Big")
    assert json.loads(segment.segment_criteria)["criteria"]["group"][0]["const_value"] == ["Small", "Large"]
    assert selected(api, segment.pk) == {"bob@example.com"}


@pytest.mark.parametrize(
    ("field_type", "expected"),
    [
        ("string", ["eq", "ne", "contains", "not-contains", "starts-with", "ends-with", "in", "not-in"]),
        ("number", ["eq", "ne", "in", "not-in"]),
        ("date", ["on", "before", "after", "between", "in-last-n-days"]),
        ("multi_select", ["contains", "not-contains"]),
    ],
)
def test_each_custom_field_type_offers_the_operators_that_fit_it(
    connected: Connected, pages: PageClient, field_type: str, expected: list[str]
) -> None:
    field = CustomField.objects.create(account=connected.account, label="F", name="F", type=field_type)
    if field_type == "multi_select":
        field.choices.create(choice_id=1, choice_label="Red", display_order=1)
    row = ("custom_field", field.custom_field_id, "eq", "")

    page = page_text(pages.post(NEW, builder_post("x", "all", row, builder="refresh"), headers=HTMX))

    assert operators(page) == [*expected, "is-empty", "is-not-empty"]


def test_contact_choice_fields_pick_a_value_and_dates_take_a_date(pages: PageClient, shop: dict[str, Any]) -> None:
    rows = (("contact", "permission_to_send", "eq", ""), ("contact", "created_at", "before", ""))

    page = page_text(pages.post(NEW, builder_post("x", "all", *rows, builder="refresh"), headers=HTMX))

    assert operators(page) == ["eq", "ne", "in", "not-in"]
    assert re.search(r'<select name="conditions-0-value"[^>]*>\s*<option value="implicit"', page)
    assert re.search(r'<input type="date" name="conditions-1-value"', page)
