"""Account Services: the account summary, its physical address and its email addresses.

Every call goes through the ``api`` fixture, so each response has also been checked against the spec.
"""

from __future__ import annotations

import re
import smtplib
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.forms.models import model_to_dict
from django.test import Client

from apps.v3.account.models import Account, AccountEmail, Partner, PhysicalAddress, Role
from tests.v3.support import error

SUMMARY = "/account/summary"
ADDRESS = "/account/summary/physical_address"
EMAILS = "/account/emails"

US_ADDRESS = {
    "address_line1": "123 Maple Street",
    "address_line2": "Unit 1",
    "city": "Boston",
    "state_code": "MA",
    "postal_code": "02451",
    "country_code": "US",
}
GB_ADDRESS = {
    "address_line1": "10 Downing Street",
    "city": "London",
    "state_name": "Greater London",
    "country_code": "GB",
}


def _add_email(account: Account, address: str, **fields: Any) -> AccountEmail:
    return AccountEmail.objects.create(account=account, email_address=address, **fields)


def _confirmed(account: Account, address: str, roles: list[str] | None = None) -> AccountEmail:
    return _add_email(account, address, confirm_status=AccountEmail.ConfirmStatus.CONFIRMED, roles=roles or [])


# --- GET /account/summary ----------------------------------------------------------------------


def test_summary_answers_the_tokens_account_and_leaves_out_empty_fields(api) -> None:  # type: ignore[no-untyped-def]
    body = api.get(SUMMARY).json()
    assert body["encoded_account_id"] == api.account.encoded_account_id
    assert body["organization_name"] == api.account.organization_name
    assert body["country_code"] == "US"
    # The factory leaves these blank: they are left out, never sent as null or "".
    assert "state_code" not in body and "website" not in body and "encoded_partner_id" not in body
    assert None not in body.values() and "" not in body.values()
    assert "physical_address" not in body and "company_logo" not in body


def test_summary_extra_fields_add_the_address_and_logo(api) -> None:  # type: ignore[no-untyped-def]
    api.account.company_logo_url = "https://files.example.com/logo.png"
    api.account.partner = Partner.objects.create(name="Partner", api_key_digest="0" * 64)
    api.account.save()
    assert "physical_address" not in api.get(SUMMARY, params={"extra_fields": "physical_address"}).json()
    PhysicalAddress.objects.create(account=api.account, **US_ADDRESS)

    both = api.get(SUMMARY, params={"extra_fields": "physical_address, company_logo"}).json()
    assert both["physical_address"] == US_ADDRESS
    assert both["company_logo"] == {"url": "https://files.example.com/logo.png"}
    assert both["encoded_partner_id"] == api.account.partner.encoded_partner_id

    logo_only = api.get(SUMMARY, params={"extra_fields": "company_logo"}).json()
    assert "company_logo" in logo_only and "physical_address" not in logo_only


def test_summary_refuses_an_unknown_extra_field(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get(SUMMARY, params={"extra_fields": "physical_address,billing"})
    error(response, 400, "extra_fields", "billing")


# --- PUT /account/summary ----------------------------------------------------------------------


def test_summary_put_changes_only_what_it_is_given(api) -> None:  # type: ignore[no-untyped-def]
    before = api.get(SUMMARY).json()
    response = api.put(SUMMARY, {"first_name": "  Lola ", "contact_phone": "5081111212", "time_zone_id": "US/Pacific"})
    assert response.status_code == 200
    assert response.json() == {
        **before,
        "first_name": "Lola",
        "contact_phone": "5081111212",
        "time_zone_id": "US/Pacific",
    }
    assert api.get(SUMMARY).json() == response.json()


def test_summary_put_ignores_read_only_and_unknown_properties(api) -> None:  # type: ignore[no-untyped-def]
    encoded = api.account.encoded_account_id
    body = {"encoded_account_id": "hijacked", "encoded_partner_id": "p1", "physical_address": {}, "nope": 1}
    response = api.put(SUMMARY, {**body, "last_name": "Zang"})
    assert response.status_code == 200
    assert response.json()["encoded_account_id"] == encoded and response.json()["last_name"] == "Zang"
    assert Account.objects.filter(encoded_account_id=encoded).exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"contact_phone": "5" * 26}, ["contact_phone", "too long"]),
        ({"organization_name": "x" * 201}, ["organization_name", "200"]),
        ({"first_name": 7}, ["first_name", "string"]),
        ({"time_zone_id": "Mars/Olympus_Mons"}, ["time_zone_id"]),
        ({"country_code": "USA"}, ["country_code"]),
        ({"country_code": ""}, ["country_code"]),
        ({"state_code": "ZZ"}, ["state_code", "ZZ"]),
        ({"country_code": "CA", "state_code": "MA"}, ["state_code", "CA"]),
        ({"country_code": "GB", "state_code": "ON"}, ["state_code", "US or CA"]),
        ({"contact_email": "not an email"}, ["contact_email", "valid"]),
        ({"contact_email": ""}, ["contact_email"]),
        ({"contact_email": "stranger@example.com"}, ["contact_email", "CONFIRMED"]),
        # A valid change beside an invalid one is not applied either.
        ({"first_name": "Changed", "contact_phone": "5" * 26}, ["contact_phone"]),
    ],
)
def test_summary_put_refuses_invalid_values_and_changes_nothing(api, body, words) -> None:  # type: ignore[no-untyped-def]
    before = model_to_dict(Account.objects.get(pk=api.account.pk))
    error(api.put(SUMMARY, body), 400, *words)
    assert model_to_dict(Account.objects.get(pk=api.account.pk)) == before


def test_summary_put_keeps_state_codes_with_their_country(api) -> None:  # type: ignore[no-untyped-def]
    assert api.put(SUMMARY, {"state_code": "ma"}).json()["state_code"] == "MA"
    moved = api.put(SUMMARY, {"country_code": "gb"}).json()
    assert moved["country_code"] == "GB" and "state_code" not in moved  # MA means nothing in GB
    error(api.put(SUMMARY, {"country_code": "US"}), 400, "state_code", "required")
    assert api.put(SUMMARY, {"country_code": "CA", "state_code": "QC"}).json()["state_code"] == "QC"


def test_summary_contact_email_must_be_confirmed_and_takes_the_contact_role(api) -> None:  # type: ignore[no-untyped-def]
    old = _confirmed(api.account, "old@example.com", roles=["CONTACT", "BILLING"])
    new = _confirmed(api.account, "New@Example.com")
    assert api.put(SUMMARY, {"contact_email": "new@example.com"}).json()["contact_email"] == "new@example.com"
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.roles == ["BILLING"] and new.roles == ["CONTACT"]


def test_summary_put_body_errors_are_400s(api) -> None:  # type: ignore[no-untyped-def]
    assert api.put(SUMMARY, raw='{"first_name": ').json()[0]["error_key"] == "api.malformed_json"
    assert error(api.put(SUMMARY, raw="[]"), 400, "object")
    assert error(api.put(SUMMARY, raw=""), 400, "required")
    # putCustomerById declares no 415, so a non-JSON content type is its declared 400 (docs/decisions.md).
    response = api.put(SUMMARY, raw="first_name=Lola", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json()[0]["error_key"] == "api.unsupported_media_type"


# --- scopes and privileges ---------------------------------------------------------------------

WRITES = [
    ("put", SUMMARY, {"first_name": "Lola"}),
    ("post", ADDRESS, US_ADDRESS),
    ("put", ADDRESS, US_ADDRESS),
    ("post", EMAILS, {"email_address": "new@example.com"}),
]
READS = [SUMMARY, EMAILS]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_need_the_account_update_scope(make_api, method, path, body) -> None:  # type: ignore[no-untyped-def]
    reader = make_api(scopes=["account_read"])
    error(getattr(reader, method)(path, body), 403, "account_update")


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_need_the_account_update_privilege(make_api, method, path, body) -> None:  # type: ignore[no-untyped-def]
    manager = make_api(role=Role.ACCOUNT_MANAGER)
    error(getattr(manager, method)(path, body), 403, "account:update")
    assert not PhysicalAddress.objects.exists() and not AccountEmail.objects.exists()


@pytest.mark.parametrize("path", READS)
def test_reads_need_account_read_and_are_open_to_managers(make_api, path) -> None:  # type: ignore[no-untyped-def]
    error(make_api(scopes=["contact_data"]).get(path), 403, "account_read")
    assert make_api(role=Role.ACCOUNT_MANAGER).get(path).status_code == 200


# --- the physical address ----------------------------------------------------------------------


def test_address_get_without_one_is_404(api) -> None:  # type: ignore[no-untyped-def]
    # getPhysicalAddress declares no 404 and nothing declared fits "none yet": the validator lists
    # it as a documented exception (docs/decisions.md) and still checks the error envelope.
    response = api.get(ADDRESS)
    assert response.status_code == 404
    assert response.json()[0]["error_key"] == "api.resource.not_found"


def test_address_post_creates_then_conflicts(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(ADDRESS, {**US_ADDRESS, "state_code": "ma", "city": " Boston "})
    assert response.status_code == 201
    assert response.json() == US_ADDRESS
    assert api.get(ADDRESS).json() == US_ADDRESS
    error(api.post(ADDRESS, GB_ADDRESS), 409, "already")
    assert api.get(ADDRESS).json() == US_ADDRESS


def test_address_put_replaces_the_whole_address(api) -> None:  # type: ignore[no-untyped-def]
    api.post(ADDRESS, US_ADDRESS)
    response = api.put(ADDRESS, GB_ADDRESS)
    assert response.status_code == 200 and response.json() == GB_ADDRESS  # address_line2 and state_code gone
    assert api.get(ADDRESS).json() == GB_ADDRESS
    assert api.get(SUMMARY, params={"extra_fields": "physical_address"}).json()["physical_address"] == GB_ADDRESS


def test_address_put_without_one_creates_it(api) -> None:  # type: ignore[no-untyped-def]
    assert api.put(ADDRESS, GB_ADDRESS).status_code == 200
    assert api.get(ADDRESS).json() == GB_ADDRESS


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"state_code": None}, ["state_code", "required", "US"]),
        ({"state_name": "Massachusetts"}, ["state_name", "US"]),
        ({"state_code": "XX"}, ["state_code", "XX", "US"]),
        ({"country_code": "CA", "state_code": "MA"}, ["state_code", "MA", "CA"]),
        ({"country_code": "CA", "state_code": None, "state_name": "Ontario"}, ["state_name", "CA"]),
        ({"country_code": "GB"}, ["state_code", "US or CA"]),
        ({"postal_code": None}, ["postal_code", "required"]),
        ({"address_line1": "x" * 81}, ["address_line1", "too long"]),
        ({"address_line2": "x" * 81}, ["address_line2", "too long"]),
        ({"address_line2": ""}, ["address_line2", "non-empty"]),
        ({"city": "x" * 101}, ["city", "100"]),
        ({"city": None}, ["city"]),
        ({"address_line1": " "}, ["address_line1"]),
        ({"country_code": "U5"}, ["country_code"]),
        ({"city": ["Boston"]}, ["city", "string"]),
    ],
)
def test_address_refuses_invalid_input_and_changes_nothing(api, changes, words) -> None:  # type: ignore[no-untyped-def]
    body = {key: value for key, value in {**US_ADDRESS, **changes}.items() if value is not None}
    error(api.post(ADDRESS, body), 400, *words)
    assert not PhysicalAddress.objects.exists()
    api.post(ADDRESS, GB_ADDRESS)
    error(api.put(ADDRESS, body), 400, *words)
    assert api.get(ADDRESS).json() == GB_ADDRESS


@pytest.mark.parametrize(("country", "state"), [("US", "DC"), ("US", "PR"), ("US", "GU"), ("CA", "QC"), ("CA", "YT")])
def test_address_accepts_dc_territories_and_provinces(api, country, state) -> None:  # type: ignore[no-untyped-def]
    body = {**US_ADDRESS, "country_code": country, "state_code": state.lower()}
    assert api.post(ADDRESS, body).json()["state_code"] == state


@pytest.mark.parametrize("method", ["post", "put"])
def test_address_body_errors(api, method) -> None:  # type: ignore[no-untyped-def]
    send = getattr(api, method)
    assert send(ADDRESS, raw="{not json").json()[0]["error_key"] == "api.malformed_json"
    response = send(ADDRESS, raw="address_line1=x", content_type="text/plain")
    assert response.status_code == 415 and response.json()[0]["error_key"] == "api.unsupported_media_type"
    error(send(ADDRESS, raw='"Boston"'), 400, "object")
    assert not PhysicalAddress.objects.exists()


# --- account emails ----------------------------------------------------------------------------


def test_emails_post_adds_an_unconfirmed_address_and_mails_a_link(api, settings) -> None:  # type: ignore[no-untyped-def]
    assert api.get(EMAILS).json() == []
    response = api.post(EMAILS, {"email_address": "dlang@example.com"})
    assert response.status_code == 201
    created = response.json()
    assert created["email_address"] == "dlang@example.com" and created["confirm_status"] == "UNCONFIRMED"
    [listed] = api.get(EMAILS).json()
    assert listed == {**created, "roles": [], "pending_roles": []}  # no confirm_time until confirmed
    [message] = mail.outbox
    assert message.to == ["dlang@example.com"]
    token = AccountEmail.objects.get(pk=created["email_id"]).confirm_token
    # The link carries the token signed with the time it was made (it expires; test_account_email_links.py).
    assert f"{settings.SITE_URL}/v3-confirm/email/{token}:" in message.body


def test_following_the_mailed_link_confirms_the_address(api) -> None:  # type: ignore[no-untyped-def]
    email_id = api.post(EMAILS, {"email_address": "dlang@example.com"}).json()["email_id"]
    AccountEmail.objects.filter(pk=email_id).update(pending_roles=["REPLY_TO"])
    link = re.search(r"https?://\S+", mail.outbox[0].body)
    assert link is not None
    browser = Client()
    path = urlsplit(link.group()).path
    # Opening the link only asks (test_account_email_links.py); its button confirms.
    page = browser.post(path, {"action": "confirm"})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert b"Email address confirmed" in page.content and b"dlang@example.com" in page.content

    [listed] = api.get(EMAILS).json()
    assert listed["confirm_status"] == "CONFIRMED" and listed["confirm_source_type"] == "SITE_OWNER"
    assert listed["confirm_time"] and listed["roles"] == ["REPLY_TO"] and listed["pending_roles"] == []
    again = browser.get(path)
    assert again.status_code == 200 and b"Already confirmed" in again.content
    assert api.get(EMAILS).json() == [listed]


def test_an_unknown_confirmation_link_is_a_404_page(db) -> None:  # type: ignore[no-untyped-def]
    page = Client().get("/v3-confirm/email/not-a-token")
    assert page.status_code == 404 and b"not valid" in page.content


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"email_address": "DLang@Example.com"}, 409, ["already", "DLang@Example.com"]),
        ({"email_address": "not-an-address"}, 400, ["email_address", "valid"]),
        ({"email_address": "a@" + "b" * 75 + ".com"}, 400, ["email_address", "too long"]),
        ({"email_address": " "}, 400, ["email_address"]),
        ({"email": "dlang@example.com"}, 400, ["email_address"]),
        ({"email_address": ["dlang@example.com"]}, 400, ["email_address", "string"]),
    ],
)
def test_emails_post_refuses_duplicates_and_bad_addresses(api, body, status, words) -> None:  # type: ignore[no-untyped-def]
    _add_email(api.account, "dlang@example.com")
    error(api.post(EMAILS, body), status, *words)
    assert AccountEmail.objects.count() == 1 and not mail.outbox


def test_emails_post_body_errors(api) -> None:  # type: ignore[no-untyped-def]
    assert api.post(EMAILS, raw='{"email_address": "x@').json()[0]["error_key"] == "api.malformed_json"
    response = api.post(EMAILS, raw="email_address=x@example.com", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    error(api.post(EMAILS, raw=""), 400, "required")
    assert not AccountEmail.objects.exists()


def test_emails_post_adds_nothing_when_the_mail_cannot_be_sent(api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("apps.v3.account.services.send_mail", refuse)
    error(api.post(EMAILS, {"email_address": "dlang@example.com"}), 503, "try again")
    assert not AccountEmail.objects.exists()


@pytest.fixture
def mixed_emails(api) -> dict[str, AccountEmail]:  # type: ignore[no-untyped-def]
    """Three addresses on ``api``'s account: confirmed contact, confirmed reply-to, unconfirmed."""
    return {
        "contact": _confirmed(api.account, "owner@example.com", roles=["CONTACT", "BILLING"]),
        "reply": _confirmed(api.account, "reply@example.com", roles=["REPLY_TO"]),
        "new": _add_email(api.account, "new@example.com", pending_roles=["OTHER"]),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["contact", "reply", "new"]),
        ({"confirm_status": "CONFIRMED"}, ["contact", "reply"]),
        ({"confirm_status": "C"}, ["contact", "reply"]),
        ({"confirm_status": "U"}, ["new"]),
        ({"role_code": "REPLY_TO"}, ["reply"]),
        ({"role_code": "R"}, ["reply"]),
        ({"role_code": "B"}, ["contact"]),
        ({"role_code": "OTHER"}, []),  # pending roles are not roles yet
        ({"email_address": "Reply@Example.com"}, ["reply"]),
        ({"email_address": "nobody@example.com"}, []),
        ({"email_address": "", "role_code": "R"}, ["reply"]),  # an empty parameter is no filter
    ],
)
def test_emails_filters_and_their_abbreviations(api, mixed_emails, params, expected) -> None:  # type: ignore[no-untyped-def]
    found = [item["email_id"] for item in api.get(EMAILS, params=params).json()]
    assert found == [mixed_emails[name].pk for name in expected]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"confirm_status": "C", "role_code": "R"}, ["one", "confirm_status", "role_code"]),
        ({"role_code": "B", "email_address": "owner@example.com"}, ["one", "role_code", "email_address"]),
        ({"confirm_status": "MAYBE"}, ["confirm_status", "MAYBE"]),
        ({"role_code": "X"}, ["role_code", "X"]),
        ({"confirm_status": "unconfirmed"}, ["confirm_status", "unconfirmed"]),
    ],
)
def test_emails_refuses_more_than_one_filter_and_bad_values(api, mixed_emails, params, words) -> None:  # type: ignore[no-untyped-def]
    error(api.get(EMAILS, params=params), 400, *words)


# --- isolation ---------------------------------------------------------------------------------


def test_another_account_neither_sees_nor_changes_this_ones_data(api, other_api) -> None:  # type: ignore[no-untyped-def]
    api.post(ADDRESS, US_ADDRESS)
    api.post(EMAILS, {"email_address": "dlang@example.com"})
    mine = api.get(SUMMARY).json()

    assert other_api.get(SUMMARY).json()["encoded_account_id"] == other_api.account.encoded_account_id
    assert other_api.get(ADDRESS).status_code == 404
    assert other_api.get(EMAILS).json() == []
    assert other_api.get(EMAILS, params={"email_address": "dlang@example.com"}).json() == []

    other_api.put(SUMMARY, {"first_name": "Mallory", "encoded_account_id": api.account.encoded_account_id})
    other_api.put(ADDRESS, GB_ADDRESS)
    assert other_api.post(EMAILS, {"email_address": "dlang@example.com"}).status_code == 201  # its own copy

    assert api.get(SUMMARY).json() == mine
    assert api.get(ADDRESS).json() == US_ADDRESS
    assert [e["confirm_status"] for e in api.get(EMAILS).json()] == ["UNCONFIRMED"]
    assert other_api.get(ADDRESS).json() == GB_ADDRESS
