"""The resubscribe confirmation mail and the signed link in it.

The link names one contact and one resubscribe request: the contact's ``contact_id`` and the
moment its email consent last changed (``email_updated_at``, which the request sets), signed by
Django's ``TimestampSigner`` with a salt of its own and the time the link was made. Nothing is
stored for it: a later change of the contact's address or permission (a newer request included)
is what retires a link, and nobody without ``SECRET_KEY`` can make one for another contact.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import ngettext

from apps.v3.account.models import Account
from apps.v3.common.links import IssuedAtSigner
from apps.v3.contacts.models import Contact

_SEP = "."
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _link_signer(issued_at: datetime | None = None) -> IssuedAtSigner:
    return IssuedAtSigner("apps.v3.contact-resubscribe-confirmation", issued_at)


@dataclass(frozen=True)
class LinkClaim:
    """What a genuine link says: the contact, the consent change it answers, and whether it expired."""

    contact_id: uuid.UUID
    consent_stamp: int
    expired: bool


def consent_stamp(contact: Contact) -> int:
    """The moment the contact's email consent last changed, in microseconds: the request a link answers."""
    assert contact.email_updated_at is not None
    return (contact.email_updated_at - _EPOCH) // timedelta(microseconds=1)


def link_lifetime() -> timedelta:
    """How long a resubscribe link works."""
    return timedelta(days=settings.V3_RESUBSCRIBE_LINK_DAYS)


def link_lifetime_text() -> str:
    """That lifetime in words for the mail and the expired-link page ("1 day", "30 days")."""
    days = settings.V3_RESUBSCRIBE_LINK_DAYS
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def resubscribe_link(contact: Contact, issued_at: datetime | None = None) -> str:
    """The absolute link that lets ``contact`` confirm the current resubscribe request."""
    value = f"{contact.contact_id}{_SEP}{signing.b62_encode(consent_stamp(contact))}"
    return settings.SITE_URL + reverse("v3-confirm:resubscribe", args=[_link_signer(issued_at).sign(value)])


def read_link(token: str) -> LinkClaim | None:
    """The claim of a link whose signature verifies (expired or not); None for any other string."""
    try:
        value, expired = _link_signer().unsign_aged(token, link_lifetime())
    except signing.BadSignature:
        return None
    contact_id, _, stamp = value.partition(_SEP)
    try:
        return LinkClaim(uuid.UUID(contact_id), signing.b62_decode(stamp), expired)
    except ValueError:  # signed with this salt, yet not a link this module made
        return None


def sender_name(account: Account) -> str:
    """Who the contact is told is asking: the organization, else the owner, else the account."""
    owner = f"{account.first_name} {account.last_name}".strip()
    return account.organization_name or owner or account.contact_email or f"account {account.encoded_account_id}"


def send_resubscribe_mail(contact: Contact, list_names: Sequence[str]) -> None:
    """Mail the contact the link to confirm; raises the mail error when it cannot be sent."""
    sender = sender_name(contact.account)
    lists = "".join(f"  - {name}\n" for name in list_names)
    send_mail(
        subject=f"{sender} asks you to confirm you want their emails again",
        message=(
            f"{contact.email_address} is unsubscribed from emails from {sender}. "
            f"{sender} asks whether you want to receive them again, on these lists:\n{lists}\n"
            f"To resubscribe, follow this link within {link_lifetime_text()} and confirm:\n"
            f"{resubscribe_link(contact)}\n\n"
            "If you do not want their emails, ignore this message: without your confirmation "
            f"{sender} cannot email you.\n"
        ),
        from_email=None,
        recipient_list=[contact.email_address],
    )
