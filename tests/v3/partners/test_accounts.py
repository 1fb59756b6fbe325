"""Client accounts: provisioning and its rules, listing with its limits and filter, and the partner gate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.v3.account.models import Account, AccountMembership, Role
from apps.v3.contacts.models import Contact, ContactList
from apps.v3.partners.models import ClientAccount
from tests.v3.partners.support import make_partner, provision_body, provisioned
from tests.v3.support import error

pytestmark = pytest.mark.django_db


def test_provisioning_makes_a_trial_account_with_its_owner_and_default_list() -> None:
    partner = make_partner()
    body = provision_body("hank_smith", managed_site_owner=False, billing_locale="en_GB", time_zone_id="US/Eastern")
    response = partner.post("/partner/accounts", body)
    assert response.status_code == 201
    data = response.json()
    account = Account.objects.get(encoded_account_id=data["encoded_account_id"])
    client = ClientAccount.objects.get(account=account)
    assert str(client.provision_uuid) == data["provision_uuid"]
    assert (account.plan_type, account.billing_status, account.partner_id) == ("TRIAL", "Trial", partner.partner.pk)
    assert client.managed_site_owner is True  # false is ignored
    assert abs(client.trial_end - (timezone.now() + timedelta(days=60))) < timedelta(minutes=1)
    owner = AccountMembership.objects.get(account=account)
    assert owner.role == Role.ACCOUNT_OWNER and owner.user.username == "hank_smith"
    assert owner.user.check_password("correct horse battery")
    default_list = ContactList.objects.get(account=account)
    assert Contact.objects.get(account=account, memberships__contact_list=default_list).email_address == (
        "hank_smith@example.com"
    )


def test_an_sso_account_is_provisioned_without_a_password() -> None:
    partner = make_partner()
    body = provision_body("sso_owner", external_id="123456", external_provider="Yahoo")
    del body["password"]
    account_id = provisioned_with(partner, body)
    client = ClientAccount.objects.get(account__encoded_account_id=account_id)
    assert client.sso_enabled and not get_user_model().objects.get(username="sso_owner").has_usable_password()


def provisioned_with(partner: Any, body: dict[str, Any]) -> str:
    response = partner.post("/partner/accounts", body)
    assert response.status_code == 201, response.content
    return str(response.json()["encoded_account_id"])


@pytest.mark.parametrize(
    ("fields", "status", "word"),
    [
        ({"login_name": "bad name!"}, 400, "login_name"),
        ({"login_name": "short"}, 400, "login_name"),
        ({"state_code": "ZZ"}, 400, "state_code"),
        ({"country_code": "CA", "state_code": "MA"}, 400, "state_code"),
        ({"country_code": "GB", "state_code": "MA"}, 400, "state_code"),
        ({"password": None}, 400, "password"),
        ({"password": "short"}, 400, "password"),
        ({"external_id": "1", "external_provider": "Yahoo"}, 400, "password"),
        ({"billing_locale": "fr_FR"}, 400, "billing_locale"),
        ({"contact_email": "not-an-email"}, 400, "contact_email"),
        ({"website": "ftp://example.com"}, 400, "website"),
        ({"time_zone_id": "Mars/Olympus"}, 400, "time_zone_id"),
        ({"website": "https://example.com/" + "x" * 200}, 400, "website"),
    ],
)
def test_bad_provisioning_input_is_a_400_naming_the_field_and_creates_nothing(
    fields: dict[str, Any], status: int, word: str
) -> None:
    partner = make_partner()
    body = {k: v for k, v in {**provision_body(), **fields}.items() if v is not None}
    before = Account.objects.count()
    error(partner.post("/partner/accounts", body), status, word)
    assert Account.objects.count() == before


def test_a_taken_login_name_is_a_409() -> None:
    partner = make_partner()
    provisioned(partner, login_name="taken_name")
    error(partner.post("/partner/accounts", provision_body("TAKEN_name")), 409, "login_name")


def test_the_list_holds_only_the_partners_accounts_with_their_counts() -> None:
    mine, theirs = make_partner(), make_partner()
    ids = [provisioned(mine) for _ in range(3)]
    provisioned(theirs)
    body = mine.get("/partner/accounts").json()
    assert [a["encoded_account_id"] for a in body["site_owner_list"]] == ids
    assert {a["billing_status"] for a in body["site_owner_list"]} == {"Trial"}
    assert {a["subscriber_count"] for a in body["site_owner_list"]} == {1}
    assert mine.get("/partner/accounts", params={"account_type": "unmanaged"}).json()["site_owner_list"] == []
    assert len(mine.get("/partner/accounts", params={"account_type": "managed"}).json()["site_owner_list"]) == 3


def test_limits_outside_10_to_50_fall_back_to_50_and_pages_follow_offsets() -> None:
    partner = make_partner()
    ids = [provisioned(partner) for _ in range(12)]
    for limit in ("5", "51", "x"):
        body = partner.get("/partner/accounts", params={"limit": limit}).json()
        assert len(body["site_owner_list"]) == 12 and "_links" not in body
    first = partner.get("/partner/accounts", params={"limit": "10"}).json()
    href = first["_links"]["next"]["href"]
    assert "offset=10" in href
    second = partner.get(href.removeprefix("/v3")).json()
    assert [a["encoded_account_id"] for a in first["site_owner_list"] + second["site_owner_list"]] == ids
    error(partner.get("/partner/accounts", params={"offset": "-1"}), 400, "offset")
    error(partner.get("/partner/accounts", params={"account_type": "some"}), 400, "account_type")


def test_partner_operations_need_the_partners_own_api_key() -> None:
    partner, other = make_partner(), make_partner()
    no_key = partner.get("/partner/accounts", headers={"x-api-key": ""})
    assert no_key.status_code == 403
    assert partner.get("/partner/accounts", headers={"x-api-key": other.api_key}).status_code == 403
    before = Account.objects.count()
    refused = partner.post("/partner/accounts", provision_body(), headers={"x-api-key": other.api_key})
    assert refused.status_code == 403 and Account.objects.count() == before


def test_account_tokens_cannot_call_partner_operations(api: Any) -> None:
    partner = make_partner()
    refused = api.get("/partner/accounts", headers={"x-api-key": partner.api_key})
    assert refused.status_code == 403
