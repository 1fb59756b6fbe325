"""Contacts Custom Fields: create, list, read, update, delete, and the values contacts hold.

Every call goes through the ``api`` fixture, which validates each response against the spec.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from apps.v3.contacts.models import CustomField, CustomFieldValue
from tests.v3.conftest import V3Api
from tests.v3.support import error


def make_field(api: V3Api, label: str = "Favorite Fruit", kind: str = "string", **body: Any) -> dict[str, Any]:
    """POST a custom field and return it (asserting 201)."""
    response = api.post("/contact_custom_fields", {"label": label, "type": kind, **body})
    assert response.status_code == 201, response.json()
    result: dict[str, Any] = response.json()
    return result


def select_field(api: V3Api, **body: Any) -> dict[str, Any]:
    """A single-select field with the choices Apple, Pear, Plum."""
    choices = [{"choice_label": label, "display_order": n} for n, label in enumerate(["Apple", "Pear", "Plum"], 1)]
    return make_field(api, "Fruit", "single_select", choices=choices, **body)


def contact_with(api: V3Api, values: list[dict[str, Any]], email: str = "pat@example.com") -> Any:
    """POST a contact holding ``values`` and return the raw response."""
    return api.post(
        "/contacts", {"create_source": "Account", "email_address": {"address": email}, "custom_fields": values}
    )


# ---------------------------------------------------------------------------------------------
# POST /contact_custom_fields


def test_create_derives_the_name_from_the_label(api: V3Api) -> None:
    body = make_field(api, "  Vehicle make and model year ")
    assert (body["label"], body["name"], body["type"]) == (
        "Vehicle make and model year",
        "Vehicle_make_and_model_year",
        "string",
    )
    assert "choices" not in body and "version" not in body and "metadata" not in body
    assert CustomField.objects.get(custom_field_id=body["custom_field_id"]).account == api.account


def test_create_each_type(api: V3Api) -> None:
    assert make_field(api, "Birthday party", "date")["version"] == 2
    assert make_field(api, "Old date", "date", version=1)["version"] == 1
    money = make_field(api, "Spend", "currency", metadata={"currency_code": "USD", "decimal_places": 2})
    assert money["metadata"] == {"currency_code": "USD", "decimal_places": 2}
    assert make_field(api, "Size", "number", metadata={"integer": True})["metadata"]["integer"] is True
    pick = select_field(api)
    assert [c["choice_label"] for c in pick["choices"]] == ["Apple", "Pear", "Plum"]
    assert [c["choice_id"] for c in pick["choices"]] == [1, 2, 3]
    assert pick["metadata"]["display_type"] == "dropdown"
    many = make_field(api, "Pets", "multi_select", choices=[{"choice_label": "Cat"}, {"choice_label": "Dog"}])
    assert many["metadata"]["display_type"] == "checkbox"


def test_create_conflicts_on_a_taken_name_in_any_case(api: V3Api, other_api: V3Api) -> None:
    make_field(api, "Favorite Fruit")
    assert "already exists" in error(
        api.post("/contact_custom_fields", {"label": "favorite fruit", "type": "string"}), 409
    )
    assert "already exists" in error(
        api.post("/contact_custom_fields", {"label": "Favorite_Fruit", "type": "string"}), 409
    )
    make_field(other_api, "Favorite Fruit")  # names are unique per account only


def test_an_account_holds_at_most_100_custom_fields(api: V3Api) -> None:
    CustomField.objects.bulk_create(
        CustomField(account=api.account, label=f"F{n}", name=f"F{n}", type="string") for n in range(100)
    )
    assert "at most 100" in error(api.post("/contact_custom_fields", {"label": "One more", "type": "string"}), 400)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"type": "string"}, "label"),
        ({"label": "   ", "type": "string"}, "label"),
        ({"label": "x" * 51, "type": "string"}, "label"),
        ({"label": "X"}, "type"),
        ({"label": "X", "type": "boolean"}, "type"),
        ({"label": "X", "type": "string", "choices": [{"choice_label": "a"}]}, "choices"),
        ({"label": "X", "type": "single_select"}, "choices"),
        (
            {"label": "X", "type": "single_select", "choices": [{"choice_label": "a"}, {"choice_label": "a"}]},
            "choices[1]",
        ),
        ({"label": "X", "type": "single_select", "choices": [{"display_order": 1}]}, "choices[0].choice_label"),
        (
            {"label": "X", "type": "single_select", "choices": [{"choice_label": "a", "display_order": -1}]},
            "display_order",
        ),
        (
            {
                "label": "X",
                "type": "single_select",
                "metadata": {"display_type": "radio"},
                "choices": [{"choice_label": str(n)} for n in range(21)],
            },
            "at most 20",
        ),
        (
            {
                "label": "X",
                "type": "single_select",
                "metadata": {"display_type": "wheel"},
                "choices": [{"choice_label": "a"}],
            },
            "display_type",
        ),
        ({"label": "X", "type": "string", "metadata": {"display_type": "radio"}}, "display_type"),
        ({"label": "X", "type": "currency", "metadata": {"currency_code": "usd"}}, "currency_code"),
        ({"label": "X", "type": "number", "metadata": {"decimal_places": 9}}, "decimal_places"),
        ({"label": "X", "type": "number", "metadata": {"integer": False, "decimal_places": 0}}, "decimal_places"),
        ({"label": "X", "type": "string", "metadata": {"display_format": "MM/DD/YYYY"}}, "display_format"),
        ({"label": "X", "type": "date", "version": 3}, "version"),
        ({"label": "X", "type": "string", "choices": [{"choice_label": "a"}] * 101}, "choices: at most 100"),
    ],
)
def test_create_rejects_bad_input(api: V3Api, body: dict[str, Any], named: str) -> None:
    assert named in error(api.post("/contact_custom_fields", body), 400)
    assert not CustomField.objects.filter(account=api.account).exists()


def test_create_body_errors(api: V3Api) -> None:
    assert api.post("/contact_custom_fields", raw=b"{").status_code == 400
    assert (
        api.post("/contact_custom_fields", raw=b"label=x", content_type="application/x-www-form-urlencoded").status_code
        == 415
    )


# ---------------------------------------------------------------------------------------------
# GET /contact_custom_fields and /contact_custom_fields/{id}


def test_list_pages_by_cursor(api: V3Api, other_api: V3Api) -> None:
    made = [make_field(api, f"Field {n}")["custom_field_id"] for n in range(5)]
    make_field(other_api, "Elsewhere")
    seen: list[str] = []
    href: str | None = "/v3/contact_custom_fields?limit=2"
    pages = 0
    while href:
        body = api.get(href.removeprefix("/v3")).json()
        seen += [f["custom_field_id"] for f in body["custom_fields"]]
        href = body["_links"].get("next", {}).get("href")
        pages += 1
    assert (pages, seen) == (3, made)
    assert api.get("/contact_custom_fields").json()["_links"] == {}


@pytest.mark.parametrize("limit", [0, 101, "ten"])
def test_list_rejects_a_bad_limit(api: V3Api, limit: Any) -> None:
    assert "limit" in error(api.get("/contact_custom_fields", params={"limit": limit}), 400)


def test_get_one(api: V3Api) -> None:
    field = select_field(api)
    assert api.get(f"/contact_custom_fields/{field['custom_field_id']}").json() == field
    assert api.get(f"/contact_custom_fields/{uuid.uuid4()}").status_code == 404
    assert "custom_field_id" in error(api.get("/contact_custom_fields/nope"), 400)


# ---------------------------------------------------------------------------------------------
# PUT /contact_custom_fields/{id}


def test_put_relabels_and_renames(api: V3Api) -> None:
    field = make_field(api, "Old label")
    path = f"/contact_custom_fields/{field['custom_field_id']}"
    body = api.put(path, {"label": "New label"}).json()
    assert (body["label"], body["name"], body["custom_field_id"]) == (
        "New label",
        "New_label",
        field["custom_field_id"],
    )
    make_field(api, "Taken")
    # The spec declares no 409 for this operation; a taken label is a 400.
    assert "Taken" in error(api.put(path, {"label": "taken"}), 400)
    assert "label" in error(api.put(path, {}), 400)
    assert "choices" in error(api.put(path, {"label": "x", "choices": [{"choice_label": "a"}]}), 400)
    assert "custom_field_id" in error(api.put("/contact_custom_fields/nope", {"label": "x"}), 400)


def test_put_replaces_choices_and_prunes_values(api: V3Api) -> None:
    field = select_field(api)
    path = f"/contact_custom_fields/{field['custom_field_id']}"
    contact = contact_with(api, [{"custom_field_id": field["custom_field_id"], "choice_ids": ["3"]}]).json()
    choices = [
        {"choice_id": 1, "choice_label": "Green apple", "display_order": 2},
        {"choice_label": "Quince", "display_order": 1},
    ]
    body = api.put(path, {"label": "Fruit", "choices": choices}).json()
    assert [(c["choice_id"], c["choice_label"]) for c in body["choices"]] == [(4, "Quince"), (1, "Green apple")]
    value = CustomFieldValue.objects.get(contact__contact_id=contact["contact_id"])
    assert value.choice_ids == []  # choice 3 is gone, so no contact still holds it
    assert "choice_id" in error(
        api.put(path, {"label": "Fruit", "choices": [{"choice_id": 99, "choice_label": "x"}]}), 400
    )
    assert "repeated" in error(
        api.put(
            path,
            {
                "label": "Fruit",
                "choices": [{"choice_id": 1, "choice_label": "a"}, {"choice_id": 1, "choice_label": "b"}],
            },
        ),
        400,
    )
    # A select field's choices cannot be left out: the PUT would leave it with none.
    assert "choices" in error(api.put(path, {"label": "Fruit"}), 400)
    assert [c["choice_label"] for c in api.get(path).json()["choices"]] == ["Quince", "Green apple"]


# ---------------------------------------------------------------------------------------------
# DELETE /contact_custom_fields/{id}


def test_delete_removes_the_field_and_its_values(api: V3Api) -> None:
    field = make_field(api)
    contact = contact_with(api, [{"custom_field_id": field["custom_field_id"], "value": "Kiwi"}]).json()
    assert len(contact["custom_fields"]) == 1
    assert api.delete(f"/contact_custom_fields/{field['custom_field_id']}").status_code == 204
    assert api.get(f"/contact_custom_fields/{field['custom_field_id']}").status_code == 404
    assert (
        api.get(f"/contacts/{contact['contact_id']}", params={"include": "custom_fields"}).json()["custom_fields"] == []
    )
    assert not CustomFieldValue.objects.exists()
    # The spec declares no 400 for this operation, so a malformed id is simply not found.
    assert api.delete("/contact_custom_fields/nope").status_code == 404


# ---------------------------------------------------------------------------------------------
# Values on contacts, checked against the field's type


def test_values_must_suit_the_field_type(api: V3Api) -> None:
    number = make_field(api, "Size", "number", metadata={"integer": True})["custom_field_id"]
    day = make_field(api, "Joined", "date")["custom_field_id"]
    legacy = make_field(api, "Legacy", "date", version=1)["custom_field_id"]
    pick = select_field(api)["custom_field_id"]
    many = make_field(api, "Pets", "multi_select", choices=[{"choice_label": "Cat"}, {"choice_label": "Dog"}])[
        "custom_field_id"
    ]
    bad = [
        ({"custom_field_id": number, "value": "ten"}, "not a number"),
        ({"custom_field_id": number, "value": "-1"}, "negative"),
        ({"custom_field_id": number, "value": "1.5"}, "whole numbers"),
        ({"custom_field_id": number, "value": "NaN"}, "not a number"),
        ({"custom_field_id": day, "value": "31/31/2020"}, "not a date"),
        ({"custom_field_id": pick, "choice_ids": ["9"]}, "not a choice"),
        ({"custom_field_id": pick, "choice_ids": ["1", "2"]}, "one choice"),
        ({"custom_field_id": pick, "value": "Banana"}, "not a choice"),
        ({"custom_field_id": number, "value": "1", "choice_ids": ["1"]}, "only select fields"),
    ]
    for value, message in bad:
        assert message in error(contact_with(api, [value]), 400)
    repeated = [{"custom_field_id": number, "value": "1"}, {"custom_field_id": number, "value": "2"}]
    assert "repeated" in error(contact_with(api, repeated), 400)
    good = contact_with(
        api,
        [
            {"custom_field_id": number, "value": "10"},
            {"custom_field_id": day, "value": "11/15/2006"},
            {"custom_field_id": legacy, "value": "11/15/2006"},
            {"custom_field_id": pick, "value": "Pear"},
            {"custom_field_id": many, "choice_ids": ["1", "2"]},
        ],
    )
    assert good.status_code == 201, good.json()
    values = {v["custom_field_id"]: v for v in good.json()["custom_fields"]}
    assert values[day]["value"] == "2006-11-15"  # comparable dates are stored in ISO form
    assert values[legacy]["value"] == "11/15/2006"  # legacy dates are kept as typed
    assert values[pick]["choice_ids"] == ["2"]
    assert values[many]["choice_ids"] == ["1", "2"]
