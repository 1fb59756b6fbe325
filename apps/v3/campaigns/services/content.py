"""Checks shared by creating a campaign and updating its activity: senders, content, footer, recipients."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from apps.v3.account.models import Account, AccountEmail, PhysicalAddress
from apps.v3.campaigns.models import ActivityRole, CampaignActivity
from apps.v3.contacts.models import ContactList, Segment
from apps.v3.gate.errors import bad_request

# The spec's limits (EmailCampaignActivityInput) and the columns' sizes.
MAX_HTML = 150_000
MAX_FROM_NAME = 100
MAX_EMAIL = 80
MAX_PREHEADER = 200
MAX_FOOTER_FIELD = 255  # the spec sets none; a footer line longer than this is not an address
TRACKING_IMAGE = "[[trackingImage]]"
CUSTOM_CODE = 5  # the only format the V3 API creates (docs/decisions/campaigns.md#format-types)
LEGACY_CUSTOM_CODE = 1
FOOTER_FIELDS = (
    "organization_name",
    "address_line1",
    "address_line2",
    "address_line3",
    "address_optional",
    "city",
    "state_code",
    "state_non_us_name",
    "postal_code",
    "country_code",
)
_CODE = re.compile(r"[A-Z]{2}")
# Fields an activity's copies (the permalink, draft resends) take from the primary email.
CONTENT_FIELDS = (
    "format_type",
    "from_name",
    "from_email",
    "reply_to_email",
    "preheader",
    "html_content",
    "physical_address_in_footer",
    "document_properties",
    "template_id",
)


def text(body: Mapping[str, Any], field: str, limit: int | None = None, *, required: bool = False) -> str:
    """``body[field]`` as given (the schema made it a string); blank is refused when ``required``."""
    value = body.get(field)
    if value is None or not value.strip():
        if required:
            raise bad_request(f"{field}: must not be blank")
        return ""
    if limit is not None and len(value) > limit:
        raise bad_request(f"{field}: longer than {limit} characters")
    return str(value)


def format_type(value: int) -> int:
    """The stored format: 5, also for a legacy custom code email (1), which the spec converts."""
    if value not in (CUSTOM_CODE, LEGACY_CUSTOM_CODE):
        raise bad_request(f"format_type: {value} cannot be created through the API; use 5 (custom code)")
    return CUSTOM_CODE


def html_content(value: str) -> str:
    """Custom code HTML: at most 150,000 characters and carrying the tracking image."""
    if len(value) > MAX_HTML:
        raise bad_request(f"html_content: longer than {MAX_HTML} characters")
    if TRACKING_IMAGE not in value:
        raise bad_request(f"html_content: must contain {TRACKING_IMAGE} in the <body> element")
    return value


def sender(account: Account, body: Mapping[str, Any], field: str) -> str:
    """``from_email`` or ``reply_to_email``: one of the account's confirmed emails (any case)."""
    address = text(body, field, MAX_EMAIL, required=True).strip()
    confirmed = (
        AccountEmail.objects.filter(
            account=account,
            email_address__iexact=address,
            confirm_status=AccountEmail.ConfirmStatus.CONFIRMED,
        )
        .values_list("email_address", flat=True)
        .first()
    )
    if confirmed is None:
        raise bad_request(
            f"{field}: {address!r} is not a confirmed email address of this account (GET /account/emails)"
        )
    return confirmed


def footer(given: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> dict[str, str]:
    """An ``EmailPhysicalAddress``: ``given`` over ``base`` property by property, then checked whole."""
    merged = dict(base or {})
    for field in FOOTER_FIELDS:
        if field in given:
            value = given[field].strip()
            if len(value) > MAX_FOOTER_FIELD:
                raise bad_request(f"physical_address_in_footer.{field}: longer than {MAX_FOOTER_FIELD} characters")
            merged[field] = value
    for field in ("organization_name", "address_line1", "country_code"):
        if not merged.get(field):
            raise bad_request(f"physical_address_in_footer.{field}: must not be blank")
    for field in ("country_code", "state_code"):
        if merged.get(field):
            merged[field] = merged[field].upper()
            if not _CODE.fullmatch(merged[field]):
                raise bad_request(f"physical_address_in_footer.{field}: {given.get(field)!r} is not a two-letter code")
    if merged["country_code"] == "US" and not merged.get("state_code"):
        raise bad_request("physical_address_in_footer.state_code: is required when country_code is US")
    return {field: merged[field] for field in FOOTER_FIELDS if merged.get(field)}


def account_footer(account: Account) -> dict[str, str] | None:
    """The account's own physical address as a footer, or None when it has none yet.

    docs/decisions/campaigns.md#the-default-footer
    """
    address = PhysicalAddress.objects.filter(account=account).first()
    if address is None:
        return None
    values = {
        "organization_name": account.organization_name or account.encoded_account_id,
        "address_line1": address.address_line1,
        "address_line2": address.address_line2,
        "address_line3": address.address_line3,
        "city": address.city,
        "state_code": address.state_code,
        "state_non_us_name": address.state_name,
        "postal_code": address.postal_code,
        "country_code": address.country_code,
    }
    return {field: value for field, value in values.items() if value}


def recipients(account: Account, body: Mapping[str, Any]) -> tuple[list[ContactList], list[Segment]]:
    """``contact_list_ids`` or one ``segment_ids`` entry, never both, each the account's live one."""
    list_ids: Sequence[str] = body.get("contact_list_ids") or []
    segment_ids: Sequence[int] = body.get("segment_ids") or []
    if list_ids and segment_ids:
        raise bad_request("contact_list_ids, segment_ids: an activity goes to contact lists or a segment, not both")
    if len(segment_ids) > 1:
        raise bad_request(f"segment_ids: at most 1 segment is allowed, got {len(segment_ids)}")
    wanted: list[uuid.UUID] = []
    for raw in list_ids:
        try:
            wanted.append(uuid.UUID(raw))
        except ValueError:
            raise bad_request(f"contact_list_ids: {raw!r} is not a list id") from None
    lists = list(ContactList.objects.of(account).live().filter(list_id__in=wanted))
    unknown = sorted({str(w) for w in wanted} - {str(row.list_id) for row in lists})
    if unknown:
        raise bad_request(f"contact_list_ids: no list {', '.join(unknown)} in this account")
    segments = list(Segment.objects.of(account).live().filter(pk__in=[s for s in segment_ids if 0 < s < 2**63]))
    if len(segments) != len(segment_ids):
        raise bad_request(f"segment_ids: no segment {segment_ids[0]} in this account")
    return lists, segments


def mirror(primary: CampaignActivity, copies: Sequence[CampaignActivity]) -> None:
    """Give the permalink and draft resends the primary email's content (a resend keeps its own subject)."""
    for copy in copies:
        for field in CONTENT_FIELDS:
            setattr(copy, field, getattr(primary, field))
        if copy.role != ActivityRole.RESEND:
            copy.subject = primary.subject
