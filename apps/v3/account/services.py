"""Account Services: the account summary, its physical address and its email addresses.

Each write validates the whole request before it touches a row and then writes inside one
transaction, so a refused or failed request leaves the account as it was.
"""

from __future__ import annotations

import re
import secrets
import smtplib
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from apps.v3.account.models import Account, AccountEmail, PhysicalAddress
from apps.v3.common.links import IssuedAtSigner
from apps.v3.contract import load_spec
from apps.v3.gate.errors import V3Error, bad_request, conflict, not_found

# USPS codes of the 50 states, DC and the inhabited territories plus the minor outlying islands.
# fmt: off
US_STATE_CODES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
    "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    "DC", "AS", "GU", "MP", "PR", "VI", "UM",
})
# Canada Post codes of the ten provinces and three territories.
CA_PROVINCE_CODES = frozenset({
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
})
# fmt: on
STATE_CODES = {"US": US_STATE_CODES, "CA": CA_PROVINCE_CODES}

CUSTOMER_PUT_FIELDS = (
    "contact_email",
    "contact_phone",
    "country_code",
    "first_name",
    "last_name",
    "organization_name",
    "organization_phone",
    "state_code",
    "time_zone_id",
    "website",
)
ADDRESS_FIELDS = (
    "address_line1",
    "address_line2",
    "address_line3",
    "city",
    "state_code",
    "state_name",
    "postal_code",
    "country_code",
)
CONFIRM_STATUSES = {"CONFIRMED": "CONFIRMED", "C": "CONFIRMED", "UNCONFIRMED": "UNCONFIRMED", "U": "UNCONFIRMED"}
ROLE_CODES = {
    **{role: role for role in ("CONTACT", "BILLING", "JOURNALING", "REPLY_TO", "OTHER")},
    **{"C": "CONTACT", "B": "BILLING", "J": "JOURNALING", "R": "REPLY_TO", "O": "OTHER"},
}
EMAIL_FILTERS = ("confirm_status", "role_code", "email_address")
# Who confirmed an address (the spec's confirm_source_type): the owner, by following the link.
CONFIRMED_BY_LINK = "SITE_OWNER"
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


# --- shared input checks ---------------------------------------------------------------------


@cache
def max_length(definition: str, model: type[models.Model], field: str) -> int | None:
    """The tighter of the spec's ``maxLength`` and the column's size, so neither can be exceeded."""
    spec_limit = load_spec()["definitions"][definition]["properties"][field].get("maxLength")
    column = model._meta.get_field(field)
    assert isinstance(column, models.Field)
    column_limit = column.max_length
    limits = [limit for limit in (spec_limit, column_limit) if limit is not None]
    return min(limits) if limits else None


def text(body: Mapping[str, Any], field: str, limit: int | None) -> str:
    """``body[field]`` trimmed; absent and blank both read as ``""`` (no value)."""
    value = body.get(field)
    if value is None:
        return ""
    value = value.strip()  # the body schema has already made it a string
    if limit is not None and len(value) > limit:
        raise bad_request(f"{field} must be at most {limit} characters long.")
    return value


def _country_code(value: str) -> str:
    code = value.upper()
    if not _COUNTRY_CODE.fullmatch(code):
        raise bad_request(f"country_code {value!r} must be a two-letter ISO 3166-1 country code.")
    return code


def _state_code_for(country: str, state_code: str) -> str:
    """A US state or CA province code, checked against that country's list."""
    code = state_code.upper()
    if code not in STATE_CODES[country]:
        raise bad_request(f"state_code {state_code!r} is not a valid state or province code for {country}.")
    return code


@cache
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk on every call.
    return frozenset(available_timezones())


def _email_syntax(value: str, field: str) -> None:
    try:
        validate_email(value)
    except ValidationError as exc:
        raise bad_request(f"{field} {value!r} is not a valid email address.") from exc


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    # The spec gives no field as nullable, so an unset value is left out rather than sent as null.
    return {key: value for key, value in data.items() if value not in ("", None)}


# --- the account summary ---------------------------------------------------------------------


def customer_put_data(account: Account) -> dict[str, Any]:
    """The account as the spec's ``CustomerPut``: what ``PUT /account/summary`` answers."""
    data = {"encoded_account_id": account.encoded_account_id}
    data.update({field: getattr(account, field) for field in CUSTOMER_PUT_FIELDS})
    return _without_empty(data)


def account_summary(account: Account, extra_fields: set[str]) -> dict[str, Any]:
    """The account as the spec's ``Customer``, with the requested extra fields when they exist."""
    data = customer_put_data(account)
    if account.partner is not None:
        data["encoded_partner_id"] = account.partner.encoded_partner_id
    if "physical_address" in extra_fields:
        address = PhysicalAddress.objects.filter(account=account).first()
        if address is not None:
            data["physical_address"] = physical_address_data(address)
    if "company_logo" in extra_fields:
        logo = _without_empty(
            {
                "url": account.company_logo_url,
                "external_url": account.company_logo_external_url,
                "internal_id": account.company_logo_internal_id,
            }
        )
        if logo:  # the spec: "If a company logo does not exist, nothing is returned"
            data["company_logo"] = logo
    return dict(sorted(data.items()))


def _summary_changes(account: Account, body: Mapping[str, Any]) -> dict[str, str]:
    """The validated new values of the writable ``CustomerPut`` fields present in ``body``."""
    changes = {
        field: text(body, field, max_length("CustomerPut", Account, field))
        for field in CUSTOMER_PUT_FIELDS
        if field in body
    }
    if "contact_email" in changes:
        email = changes["contact_email"]
        if not email:
            raise bad_request("contact_email cannot be empty.")
        _email_syntax(email, "contact_email")
        # The spec's CustomerPut: the contact email is "the confirmed email address" of the owner.
        confirmed = account.emails.filter(
            email_address__iexact=email, confirm_status=AccountEmail.ConfirmStatus.CONFIRMED
        )
        if not confirmed.exists():
            raise bad_request(
                f"contact_email {email!r} must be a CONFIRMED account email address (see /account/emails)."
            )
    if "time_zone_id" in changes and changes["time_zone_id"] not in _time_zones():
        raise bad_request(f"time_zone_id {changes['time_zone_id']!r} is not an IANA time zone.")
    if "country_code" in changes or "state_code" in changes:
        changes.update(_summary_region(account, changes))
    return changes


def _summary_region(account: Account, changes: dict[str, str]) -> dict[str, str]:
    country = _country_code(changes["country_code"]) if "country_code" in changes else account.country_code
    # A state kept from another country would be meaningless in the new one.
    state = changes.get("state_code", account.state_code if country == account.country_code else "")
    if country in STATE_CODES:
        if state:
            state = _state_code_for(country, state)
        elif country == "US":  # the spec: state_code "is required if the country_code is US"
            raise bad_request("state_code is required when country_code is US.")
    elif state:
        raise bad_request("state_code is only used when country_code is US or CA.")
    return {"country_code": country, "state_code": state}


def update_account_summary(account: Account, body: Any) -> Account:
    """``PUT /account/summary``: a partial update; read-only and unknown properties are ignored."""
    changes = _summary_changes(account, body)
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*changes, "updated_at"])
        if "contact_email" in changes:
            _move_contact_role(locked, changes["contact_email"])
    return locked


def _move_contact_role(account: Account, email_address: str) -> None:
    # The spec allows one CONTACT role email per account: it follows the account's contact_email.
    for email in account.emails.select_for_update().order_by("pk"):
        is_contact = email.email_address.lower() == email_address.lower()
        roles = [role for role in email.roles if role != "CONTACT"] + (["CONTACT"] if is_contact else [])
        if roles != email.roles:
            email.roles = roles
            email.save(update_fields=["roles", "updated_at"])


# --- the physical address --------------------------------------------------------------------


def physical_address_data(address: PhysicalAddress) -> dict[str, Any]:
    """The address as the spec's ``AccountPhysicalAddress``."""
    return _without_empty({field: getattr(address, field) for field in ADDRESS_FIELDS})


def get_physical_address(account: Account) -> PhysicalAddress:
    """The account's address; 404 when it has none yet."""
    address = PhysicalAddress.objects.filter(account=account).first()
    if address is None:
        raise not_found("The account has no physical address yet; POST one to /account/summary/physical_address.")
    return address


def _address_values(body: Any) -> dict[str, str]:
    """A complete, validated address from an ``AccountPhysicalAddress`` body; omitted fields are blank."""
    values = {
        field: text(body, field, max_length("AccountPhysicalAddress", PhysicalAddress, field))
        for field in ADDRESS_FIELDS
    }
    missing = [field for field in ("address_line1", "city", "country_code") if not values[field]]
    if missing:
        raise bad_request(f"Missing required field: {', '.join(missing)}.")
    country = values["country_code"] = _country_code(values["country_code"])
    if country in STATE_CODES:
        # The spec: US and CA addresses take a state_code (and a postal code), never a state_name.
        if values["state_name"]:
            raise bad_request(f"state_name must not be used when country_code is {country}; use state_code.")
        if not values["state_code"]:
            raise bad_request(f"state_code is required when country_code is {country}.")
        if not values["postal_code"]:
            raise bad_request(f"postal_code is required when country_code is {country}.")
        values["state_code"] = _state_code_for(country, values["state_code"])
    elif values["state_code"]:
        raise bad_request("state_code is only used when country_code is US or CA; use state_name.")
    return values


def add_physical_address(account: Account, body: Any) -> PhysicalAddress:
    """``POST /account/summary/physical_address``: 409 when the account already has one."""
    values = _address_values(body)
    exists = conflict("The account already has a physical address; use PUT to change it.")
    if PhysicalAddress.objects.filter(account=account).exists():
        raise exists
    try:
        with transaction.atomic():
            return PhysicalAddress.objects.create(account=account, **values)
    except IntegrityError as exc:  # a concurrent POST won the one-to-one row
        raise exists from exc


def replace_physical_address(account: Account, body: Any) -> PhysicalAddress:
    """``PUT /account/summary/physical_address``: the body replaces the whole address.

    The spec: "Excluding a non-read only field from the request body removes it", so omitted
    optional fields are cleared. An account without an address gets one (PUT as upsert).
    """
    values = _address_values(body)
    with transaction.atomic():
        address, _ = PhysicalAddress.objects.select_for_update().update_or_create(account=account, defaults=values)
    return address


# --- account email addresses -----------------------------------------------------------------


def account_email_data(email: AccountEmail) -> dict[str, Any]:
    """One item of the spec's ``AccountEmails``."""
    data = _without_empty(
        {
            "email_address": email.email_address,
            "email_id": email.pk,
            "confirm_status": email.confirm_status,
            "confirm_time": email.confirm_time,  # DRF renders it in ISO 8601
            "confirm_source_type": email.confirm_source_type,
        }
    )
    return {**data, "roles": list(email.roles), "pending_roles": list(email.pending_roles)}


def email_filter(query: Mapping[str, Any]) -> tuple[str, str] | None:
    """The one ``GET /account/emails`` filter in the parsed query, as (name, full value), or None.

    The spec: "This method only supports one query parameter at a time"; abbreviations such as
    ``C`` or ``R`` stand for the full value.
    """
    given = [name for name in EMAIL_FILTERS if name in query]
    if len(given) > 1:
        raise bad_request(f"Use only one query parameter at a time; got {', '.join(given)}.")
    if not given:
        return None
    name = given[0]
    value: str = query[name]
    if name == "confirm_status":
        return name, CONFIRM_STATUSES[value]
    if name == "role_code":
        return name, ROLE_CODES[value]
    return name, value


def list_account_emails(account: Account, query: Mapping[str, Any]) -> list[AccountEmail]:
    """``GET /account/emails``, filtered by at most one of confirm_status, role_code, email_address."""
    selected = email_filter(query)
    emails = account.emails.order_by("pk")
    if selected is None:
        return list(emails)
    name, value = selected
    if name == "confirm_status":
        return list(emails.filter(confirm_status=value))
    if name == "email_address":
        return list(emails.filter(email_address__iexact=value))
    # JSON containment lookups are not available on SQLite, and an account holds a handful of
    # addresses, so the role filter runs here rather than in the query.
    return [email for email in emails if value in email.roles]


def _link_signer(issued_at: datetime | None = None) -> IssuedAtSigner:
    return IssuedAtSigner("apps.v3.account-email-confirmation", issued_at)


def confirmation_link_lifetime() -> timedelta:
    """How long a mailed confirmation link works."""
    return timedelta(hours=settings.V3_EMAIL_CONFIRM_LINK_HOURS)


def confirmation_link_lifetime_text() -> str:
    """That lifetime in words for the mail and the expired-link page ("1 hour", "72 hours")."""
    hours = settings.V3_EMAIL_CONFIRM_LINK_HOURS
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def confirmation_link(email: AccountEmail, issued_at: datetime | None = None) -> str:
    """The absolute link that confirms ``email`` when followed within :func:`confirmation_link_lifetime`."""
    signed = _link_signer(issued_at).sign(email.confirm_token)
    return settings.SITE_URL + reverse("v3-confirm:email", args=[signed])


def add_account_email(account: Account, body: Any) -> AccountEmail:
    """``POST /account/emails``: add an UNCONFIRMED address and mail it its confirmation link.

    409 when the account already has the address (compared case-insensitively); 503 when the
    confirmation mail cannot be sent, in which case the address is not added.
    """
    address = text(body, "email_address", max_length("AccountEmailInput", AccountEmail, "email_address"))
    if not address:
        raise bad_request("Missing required field: email_address.")
    _email_syntax(address, "email_address")
    duplicate = conflict(f"The account already has the email address {address!r}.")
    try:
        with transaction.atomic():
            # Lock the account so two requests adding the same address cannot both pass the check.
            Account.objects.select_for_update().filter(pk=account.pk).first()
            if account.emails.filter(email_address__iexact=address).exists():
                raise duplicate
            email = AccountEmail.objects.create(account=account, email_address=address)
            _send_confirmation(email)
    except IntegrityError as exc:
        raise duplicate from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise V3Error(503, "api.service_unavailable", "The confirmation email could not be sent; try again.") from exc
    return email


def _send_confirmation(email: AccountEmail) -> None:
    link = confirmation_link(email)
    send_mail(
        subject="Confirm your email address",
        message=(
            f"{email.email_address} was added to a Constant Contact account.\n\n"
            f"Follow this link within {confirmation_link_lifetime_text()} to confirm it:\n{link}\n\n"
            "If you did not expect this email, ignore it: the address stays unconfirmed.\n"
        ),
        from_email=None,
        recipient_list=[email.email_address],
    )


class LinkOutcome(StrEnum):
    """What following (or re-sending from) a confirmation link came to."""

    CONFIRMED = "confirmed"  # this visit confirmed the address
    ALREADY_CONFIRMED = "already_confirmed"  # confirmed before: a used link changes nothing
    READY = "ready"  # genuine, in time and unconfirmed: the page asks whether to confirm
    EXPIRED = "expired"  # genuine but older than the lifetime; a new link can be sent
    RESENT = "resent"  # a new link was mailed and this one stopped working
    INVALID = "invalid"  # tampered, truncated, replaced by a newer link, or its address is gone


def _open_link(link_token: str) -> tuple[AccountEmail | None, LinkOutcome | None]:
    """The address a link names, locked, and why the link cannot confirm it (None when it can).

    A link whose signature does not verify names nothing; an expired one still names its address,
    so that the page can offer a new link to the mailbox the old one was sent to.
    """
    try:
        token, expired = _link_signer().unsign_aged(link_token, confirmation_link_lifetime())
    except signing.BadSignature:
        # Links mailed before they were signed carry the bare token: too old to confirm, but
        # only their recipient has one, so they may ask for a new link like an expired one.
        legacy = AccountEmail.objects.select_for_update().filter(confirm_token=link_token).first()
        if legacy is None or legacy.confirm_status == AccountEmail.ConfirmStatus.CONFIRMED:
            return None, LinkOutcome.INVALID
        return legacy, LinkOutcome.EXPIRED
    email = AccountEmail.objects.select_for_update().filter(confirm_token=token).first()
    if email is None:
        return None, LinkOutcome.INVALID
    if email.confirm_status == AccountEmail.ConfirmStatus.CONFIRMED:
        return email, LinkOutcome.ALREADY_CONFIRMED
    return email, LinkOutcome.EXPIRED if expired else None


def inspect_link(link_token: str) -> tuple[AccountEmail | None, LinkOutcome]:
    """What a link would do, changing nothing: opening it must not confirm (mail scanners prefetch links)."""
    with transaction.atomic():
        email, refused = _open_link(link_token)
    return email, refused or LinkOutcome.READY


def confirm_account_email(link_token: str) -> tuple[AccountEmail | None, LinkOutcome]:
    """Confirm with a link (the page's button): the address it names (None when invalid) and the outcome.

    Confirming promotes the address's pending roles to roles; a second visit changes nothing.
    """
    with transaction.atomic():
        email, refused = _open_link(link_token)
        if email is None or refused is not None:
            return email, refused or LinkOutcome.INVALID
        email.confirm_status = AccountEmail.ConfirmStatus.CONFIRMED
        email.confirm_time = timezone.now()
        email.confirm_source_type = CONFIRMED_BY_LINK
        email.roles = list(dict.fromkeys([*email.roles, *email.pending_roles]))
        email.pending_roles = []
        email.save()
    return email, LinkOutcome.CONFIRMED


def resend_confirmation(link_token: str) -> tuple[AccountEmail | None, LinkOutcome]:
    """Mail a new link to the address an unconfirmed link names; every earlier link stops working.

    Replacing the token is what bounds the re-sends: each link can ask for one new link, and only
    someone who received a link can ask. Raises the mail error when the new link cannot be sent,
    and then the old token (and link) stays as it was.
    """
    with transaction.atomic():
        email, refused = _open_link(link_token)
        if email is None or refused not in (None, LinkOutcome.EXPIRED):
            return email, refused or LinkOutcome.INVALID
        email.confirm_token = secrets.token_urlsafe()
        email.save(update_fields=["confirm_token", "updated_at"])
        _send_confirmation(email)
    return email, LinkOutcome.RESENT
