"""SSO users of SSO-enabled client accounts, and partner unsubscribes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from apps.v3.account.models import Account, AccountMembership
from apps.v3.contacts.models import Contact
from apps.v3.partners.models import SSOIdentity
from tests.v3.partners.support import make_partner, provision_body, provisioned
from tests.v3.support import error

pytestmark = pytest.mark.django_db


def _sso_account(partner: Any) -> str:
    body = provision_body(external_id="owner-1", external_provider="Yahoo")
    del body["password"]
    response = partner.post("/partner/accounts", body)
    assert response.status_code == 201
    return str(response.json()["encoded_account_id"])


def sso_user(**fields: Any) -> dict[str, Any]:
    return {
        "first_name": "Josie",
        "last_name": "Lang",
        "role_name": "campaign_creator",
        "contact_email": "josie.lang@example.com",
        "login_name": "josie.lang",
        "external_id": "23378234122161121",
        "external_provider": "Yahoo",
        **fields,
    }


def test_an_sso_user_joins_the_account_with_its_role_and_identity() -> None:
    partner = make_partner()
    account_id = _sso_account(partner)
    response = partner.post(f"/partner/accounts/{account_id}/users/sso", sso_user())
    assert response.status_code == 201
    user = get_user_model().objects.get(username="josie.lang")
    assert not user.has_usable_password()
    membership = AccountMembership.objects.get(user=user)
    assert (membership.account.encoded_account_id, membership.role) == (account_id, "campaign_creator")
    assert SSOIdentity.objects.get(user=user).external_id == "23378234122161121"
    error(
        partner.post(f"/partner/accounts/{account_id}/users/sso", sso_user(login_name="other.name")),
        409,
        "contact_email",
    )
    error(partner.post(f"/partner/accounts/{account_id}/users/sso", sso_user(contact_email="b@example.com")), 409)


@pytest.mark.parametrize(
    ("fields", "word"),
    [
        ({"role_name": "account_owner"}, "role_name"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"login_name": "bad name"}, "login_name"),
        ({"first_name": " "}, "first_name"),
    ],
)
def test_bad_sso_users_are_400s(fields: dict[str, Any], word: str) -> None:
    partner = make_partner()
    account_id = _sso_account(partner)
    error(partner.post(f"/partner/accounts/{account_id}/users/sso", sso_user(**fields)), 400, word)
    assert not get_user_model().objects.filter(username="josie.lang").exists()


def test_sso_users_need_an_sso_account() -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    error(partner.post(f"/partner/accounts/{account_id}/users/sso", sso_user()), 400, "SSO")


def _contacts(account_id: str, *addresses: str) -> None:
    account = Account.objects.get(encoded_account_id=account_id)
    Contact.objects.bulk_create(Contact(account=account, email_address=a) for a in addresses)


def test_unsubscribe_in_one_account_and_soft_delete() -> None:
    partner = make_partner()
    account_id, other = provisioned(partner), provisioned(partner)
    _contacts(account_id, "a@example.com", "b@example.com")
    _contacts(other, "a@example.com")
    body = {
        "email_addresses": ["A@example.com", "b@example.com", "zz@example.com"],
        "update_source": "Account",
        "opt_out_reason": "No longer interested.",
        "delete_contacts": True,
    }
    response = partner.post(f"/partner/accounts/{account_id}/contacts/unsubscribe", body)
    assert response.json() == {"unsubscribed_count": 2}
    gone = Contact.objects.filter(
        account__encoded_account_id=account_id, email_address__in=["a@example.com", "b@example.com"]
    )
    assert {(c.permission_to_send, c.opt_out_reason, c.deleted_at is not None) for c in gone} == {
        ("unsubscribed", "No longer interested.", True)
    }
    assert (
        Contact.objects.get(account__encoded_account_id=other, email_address="a@example.com").permission_to_send
        == "implicit"
    )


def test_a_global_unsubscribe_reaches_every_account_of_the_partner_and_no_other() -> None:
    partner, stranger = make_partner(), make_partner()
    first, second, foreign = provisioned(partner), provisioned(partner), provisioned(stranger)
    for account_id in (first, second, foreign):
        _contacts(account_id, "a@example.com")
    body = {"email_addresses": ["a@example.com"], "update_source": "System", "global_unsubscribe": True}
    assert partner.post(f"/partner/accounts/{first}/contacts/unsubscribe", body).json() == {"unsubscribed_count": 2}
    foreign_contact = Contact.objects.get(account__encoded_account_id=foreign, email_address="a@example.com")
    assert foreign_contact.permission_to_send == "implicit"
    two = {**body, "email_addresses": ["a@example.com", "b@example.com"]}
    error(partner.post(f"/partner/accounts/{first}/contacts/unsubscribe", two), 400, "global_unsubscribe")


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"email_addresses": [f"c{n}@example.com" for n in range(501)], "update_source": "Account"}, "email_addresses"),
        ({"email_addresses": ["a@example.com"], "update_source": "Robot"}, "update_source"),
        ({"email_addresses": ["a@example.com"]}, "update_source"),
        ({"email_addresses": ["not-an-address"], "update_source": "Account"}, "email_addresses"),
        ({"email_addresses": [], "update_source": "Account"}, "email_addresses"),
    ],
)
def test_bad_unsubscribes_are_400s_that_change_nothing(body: dict[str, Any], word: str) -> None:
    partner = make_partner()
    account_id = provisioned(partner)
    _contacts(account_id, "a@example.com")
    error(partner.post(f"/partner/accounts/{account_id}/contacts/unsubscribe", body), 400, word)
    assert not Contact.objects.filter(permission_to_send="unsubscribed").exists()
