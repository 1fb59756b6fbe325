"""Finding a partner's client account by its encoded id, never another partner's."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery

from apps.v3.account.models import Account, AccountMembership, Partner, Role
from apps.v3.gate.errors import bad_request, not_found
from apps.v3.partners.models import ClientAccount
from apps.v3.partners.services import checks


def client_account(partner: Partner, raw_id: str, *, other_partner_is_400: bool = False) -> ClientAccount:
    """The partner's provisioned account ``raw_id``.

    Unknown: 404. Another partner's: 404, or 400 where the spec says so for plans and cancellation
    (docs/decisions/partners.md#another-partners-account); nothing about it is revealed either way.
    """
    encoded = checks.encoded_account_id(raw_id)
    account = Account.objects.filter(encoded_account_id=encoded).select_related("client").first()
    client = getattr(account, "client", None) if account is not None else None
    if account is None or client is None:
        raise not_found(f"encoded_account_id: no client account {encoded}")
    if account.partner_id != partner.pk:
        if other_partner_is_400:
            raise bad_request(f"encoded_account_id: {encoded} is not a client account of this partner")
        raise not_found(f"encoded_account_id: no client account {encoded}")
    assert isinstance(client, ClientAccount)
    client.account = account
    return client


DEFAULT_LIMIT = 50
MIN_LIMIT, MAX_LIMIT = 10, 50


def page_limit(raw: str | None) -> int:
    """``limit``: a number from 10 to 50; anything else is the default 50, as the spec says."""
    if raw is not None and raw.isascii() and raw.isdigit() and MIN_LIMIT <= int(raw) <= MAX_LIMIT:
        return int(raw)
    return DEFAULT_LIMIT


def page_offset(raw: str | None) -> int:
    """``offset``: records to skip; malformed, a 400."""
    if raw is None or raw == "":
        return 0
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 2**31 - 1:
        raise bad_request(f"offset: {raw!r} is not a number of records to skip")
    return int(raw)


def partner_accounts(partner: Partner, account_type: str, offset: int, limit: int) -> tuple[list[Any], bool]:
    """A page of the partner's accounts with subscriber counts and the owner's last sign-in, and whether more follow."""
    accounts = Account.objects.filter(partner=partner).select_related("client")
    if account_type == "managed":
        accounts = accounts.filter(client__managed_site_owner=True)
    elif account_type == "unmanaged":
        accounts = accounts.exclude(client__managed_site_owner=True)
    subscribers = Q(contacts__deleted_at__isnull=True) & ~Q(contacts__permission_to_send="unsubscribed")
    owner = AccountMembership.objects.filter(account=OuterRef("pk"), role=Role.ACCOUNT_OWNER).order_by("pk")
    rows = list(
        accounts.annotate(
            subscriber_count=Count("contacts", filter=subscribers),
            owner_last_login=Subquery(owner.values("user__last_login")[:1]),
        ).order_by("pk")[offset : offset + limit + 1]
    )
    return rows[:limit], len(rows) > limit
