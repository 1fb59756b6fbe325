"""The service's messages in the form's words (``ctctdash.pages.api_messages``) and where forms show them."""

from __future__ import annotations

import pytest
from django import forms

from apps.ctct import BadRequest, Conflict, ErrorDetail
from ctctdash.pages import ManagementForm, add_api_errors
from ctctdash.pages.api_messages import capitalised, reworded

VALIDATION = "api.validation.error"
CONFLICT = "api.conflict"


@pytest.mark.parametrize(
    ("key", "paths", "message", "words"),
    [
        (
            VALIDATION,
            ("body",),
            "give at least one of first_name, last_name, email_address, sms_channel",
            "Give a first name, last name, email address or SMS number.",
        ),
        (CONFLICT, ("name",), "a contact list named 'VIP' already exists", "A list named “VIP” already exists."),
        (CONFLICT, ("name",), "a tag named \"O'Neil's\" already exists", "A tag named “O'Neil's” already exists."),
        (CONFLICT, ("name",), "a segment named 'Taken' already exists", "A segment named “Taken” already exists."),
        (
            CONFLICT,
            ("label",),
            "a custom field named 'Shirt_size' already exists",
            "A custom field named “Shirt_size” already exists.",
        ),
        (
            VALIDATION,
            ("label",),
            "another custom field is named 'Shirt_size'",
            "A custom field named “Shirt_size” already exists.",
        ),
        (
            CONFLICT,
            ("email_address",),
            "ann@example.com is already a contact (id 0b7e5d3c-1111-4222-8333-944455556666)",
            "A contact with the email address ann@example.com already exists.",
        ),
        (
            CONFLICT,
            ("email_address",),
            "ann@example.com belongs to another contact in this account",
            "Another contact has the email address ann@example.com.",
        ),
        (VALIDATION, ("label",), "is required", "This field is required."),
        (VALIDATION, ("name",), "must not be blank", "This field is required."),
        # Messages the table does not know keep their words, capitalised when they start with one.
        (VALIDATION, ("birthday_month", "birthday_day"), "give both or neither", "Give both or neither"),
        (VALIDATION, ("sms_channel",), "'12' is not a phone number", "'12' is not a phone number"),
        (CONFLICT, (), "dee@example.com exists", "dee@example.com exists"),
        # The same words with another key are another message.
        (VALIDATION, ("name",), "a tag named 'x' already exists", "A tag named 'x' already exists"),
    ],
)
def test_the_services_messages_in_the_forms_words(key: str, paths: tuple[str, ...], message: str, words: str) -> None:
    assert reworded(key, paths, message).text == words


def test_a_duplicate_is_named_as_the_person_typed_it() -> None:
    worded = reworded(CONFLICT, ("label",), "a custom field named 'Shirt_size' already exists", {"label": "shirt size"})

    assert worded.text == "A custom field named “shirt size” already exists."


@pytest.mark.parametrize(("text", "expected"), [("at most 3", "At most 3"), ("iOS only", "iOS only"), ("", "")])
def test_capitalised(text: str, expected: str) -> None:
    assert capitalised(text) == expected


class PersonForm(ManagementForm):
    """Three fields the service's body calls first_name, email_address and job_title."""

    first_name = forms.CharField(required=False)
    email = forms.CharField(required=False, help_text="Where they read mail.")
    job_title = forms.CharField(required=False)


PATHS = {"first_name": "first_name", "email_address": "email", "job_title": "job_title"}


def test_a_message_about_several_fields_goes_above_the_form_and_marks_each_of_them() -> None:
    form = PersonForm({})
    assert form.is_valid()
    message = "body: give at least one of first_name, last_name, email_address, sms_channel"

    add_api_errors(form, BadRequest(400, [ErrorDetail(VALIDATION, message)]), PATHS)

    assert form.non_field_errors() == ["Give a first name, last name, email address or SMS number."]
    assert 'id="id_form_errors" role="alert"' in str(form.non_field_errors())
    email = str(form["email"])
    assert 'aria-invalid="true"' in email
    assert 'aria-describedby="id_email_helptext id_form_errors"' in email
    assert 'aria-describedby="id_form_errors"' in str(form["first_name"])
    assert "aria-invalid" not in str(form["job_title"])


def test_a_message_naming_no_known_field_shows_above_the_form_capitalised() -> None:
    form = PersonForm({})
    assert form.is_valid()

    add_api_errors(form, BadRequest(400, [ErrorDetail(VALIDATION, "the service is cross today")]), PATHS)

    assert form.non_field_errors() == ["The service is cross today"]
    assert "aria-invalid" not in str(form["email"])


def test_a_conflict_naming_no_field_lands_at_the_conflict_field() -> None:
    form = PersonForm({"email": "ann@example.com"})
    assert form.is_valid()

    add_api_errors(form, Conflict(409, [ErrorDetail(CONFLICT, "duplicate")]), PATHS, conflict_field="email")

    assert form.errors == {"email": ["Duplicate"]}
