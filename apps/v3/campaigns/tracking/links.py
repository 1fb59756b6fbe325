"""The signed recipient token every tracked URL of a copy carries.

docs/decisions/campaigns.md#one-signed-token-per-recipient says why one token serves every page.

A token names an (account, activity, contact) triple by primary key, base-62 encoded and signed
with the project's secret, so the public pages can record an event with no lookup before the
insert. It never expires: an unsubscribe link has to keep working for as long as the copy exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

# One salt for every page: a recipient holding their copy may open, click, forward and unsubscribe.
_SIGNER = signing.Signer(salt="v3-mail.recipient")


@dataclass(frozen=True)
class Recipient:
    """Who a token was made for: primary keys of the account, the activity and the contact."""

    account_id: int
    activity_id: int
    contact_id: int


def make_token(account_id: int, activity_id: int, contact_id: int) -> str:
    """The signed token for one recipient of one activity (URL-safe: base-62 digits, ``-``, ``:``, ``_``)."""
    value = f"{signing.b62_encode(account_id)}-{signing.b62_encode(activity_id)}-{signing.b62_encode(contact_id)}"
    return _SIGNER.sign(value)


def read_token(token: str) -> Recipient | None:
    """The recipient a token names, or None when it is forged, tampered with or malformed."""
    try:
        value = _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    parts = value.split("-")
    if len(parts) != 3:
        return None
    try:
        account_id, activity_id, contact_id = (signing.b62_decode(part) for part in parts)
    except (ValueError, KeyError, IndexError):
        return None
    return Recipient(account_id, activity_id, contact_id)
