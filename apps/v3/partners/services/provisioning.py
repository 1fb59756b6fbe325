"""Provisioning a client account: a real account with an owner who can sign in, on a 60-day trial."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.v3.account.models import Account, AccountMembership, Partner, Role
from apps.v3.contacts.models import Contact, ContactList
from apps.v3.gate.errors import conflict
from apps.v3.partners.models import ClientAccount, SSOIdentity
from apps.v3.partners.services import checks
from apps.v3.partners.services.checks import refuse

TRIAL_DAYS = 60
DEFAULT_LIST = "General Interest"
BILLING_LOCALES = ("en_US", "en_GB")
WEBSITE_MAX = 200
US_STATES = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
        "UM",
        "AA",
        "AE",
        "AP",
    }
)
CA_PROVINCES = frozenset({"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"})
STATES = {"US": US_STATES, "CA": CA_PROVINCES}


def _check_place(data: dict[str, Any]) -> tuple[str, str]:
    country = str(data["country_code"]).upper()
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise refuse("country_code", f"{data['country_code']!r} is not a two-letter country code")
    state = str(data["state_code"]).upper()
    if country in STATES:
        if state not in STATES[country]:
            raise refuse("state_code", f"{data['state_code']!r} is not a state or province code of {country}")
    elif state:
        raise refuse("state_code", "must be blank outside the US and Canada")
    return country, state


def _check_sign_in(data: dict[str, Any]) -> None:
    """A password, or an external id and provider (SSO), but not both and not neither."""
    password, external = data.get("password"), (data.get("external_id"), data.get("external_provider"))
    if password and any(external):
        raise refuse("password", "give a password or external_id and external_provider, not both")
    if not password and not all(external):
        raise refuse("password", "required unless external_id and external_provider are given")
    if password and data["login_name"].lower() in password.lower():
        raise refuse("password", "must not contain the login name")


def check(data: dict[str, Any]) -> dict[str, Any]:
    """The provision body's rules beyond its schema; the cleaned values."""
    checks.email(data["contact_email"], "contact_email")
    country, state = _check_place(data)
    _check_sign_in(data)
    locale = data.get("billing_locale") or "en_US"
    if locale not in BILLING_LOCALES:
        raise refuse("billing_locale", f"must be one of {', '.join(BILLING_LOCALES)}")
    zone = data.get("time_zone_id") or "America/New_York"
    if zone not in zoneinfo.available_timezones():
        raise refuse("time_zone_id", f"{zone!r} is not a time zone id")
    if data.get("website"):
        checks.http_uri(data["website"], "website")
        if len(data["website"]) > WEBSITE_MAX:  # the spec gives no limit; the account's column does
            raise refuse("website", f"at most {WEBSITE_MAX} characters")
    checks.login_name_free(data["login_name"])
    return {"country_code": country, "state_code": state, "billing_locale": locale, "time_zone_id": zone}


def provision(partner: Partner, data: dict[str, Any]) -> ClientAccount:
    """Create the account, its owner, its default list (with the owner as its first contact) and its trial."""
    clean = check(data)
    now = timezone.now()
    try:
        with transaction.atomic():
            return _create(partner, data, clean, now)
    except IntegrityError:
        # Two provisions racing for one login name: the loser's is a conflict, as if checked first.
        raise conflict(f"login_name: {data['login_name']!r} is already taken", key="api.login_name.conflict") from None


def _create(partner: Partner, data: dict[str, Any], clean: dict[str, Any], now: Any) -> ClientAccount:
    user = get_user_model()(
        username=data["login_name"],
        email=data["contact_email"],
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
    )
    if data.get("password"):
        user.set_password(data["password"])
    else:
        user.set_unusable_password()
    user.save()
    account = Account.objects.create(
        organization_name=data.get("organization_name", ""),
        organization_phone=data.get("organization_phone", ""),
        contact_email=data["contact_email"],
        contact_phone=data.get("contact_phone", ""),
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        website=data.get("website", ""),
        time_zone_id=clean["time_zone_id"],
        country_code=clean["country_code"],
        state_code=clean["state_code"],
        plan_type="TRIAL",
        billing_status="Trial",
        partner=partner,
    )
    AccountMembership.objects.create(account=account, user=user, role=Role.ACCOUNT_OWNER)
    sso = not data.get("password")
    if sso:
        SSOIdentity.objects.create(
            user=user, external_id=data["external_id"], external_provider=data["external_provider"]
        )
    default_list = ContactList.objects.create(account=account, name=DEFAULT_LIST)
    owner = Contact.objects.create(
        account=account,
        email_address=data["contact_email"].strip().lower(),
        first_name=data.get("first_name", "")[:50],
        last_name=data.get("last_name", "")[:50],
        create_source="Account",
        email_created_at=now,
    )
    owner.memberships.create(contact_list=default_list)
    return ClientAccount.objects.create(
        account=account,
        login_name=data["login_name"],
        partner_account_id=data.get("partner_account_id", ""),
        billing_locale=clean["billing_locale"],
        managed_site_owner=True,  # the spec ignores false here
        enable_single_billing=bool(data.get("enable_single_billing")),
        gdpr_opt_out=bool(data.get("gdpr_opt_out")),
        sso_enabled=sso,
        trial_end=now + timedelta(days=TRIAL_DAYS),
    )
