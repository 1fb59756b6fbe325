"""Partner unsubscribes: addresses out of one client account, or one address out of all of them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.contacts.models import Contact
from apps.v3.partners.models import ClientAccount
from apps.v3.partners.services import checks
from apps.v3.partners.services.checks import refuse

MAX_ADDRESSES = 500


@transaction.atomic
def unsubscribe(client: ClientAccount, data: dict[str, Any]) -> int:
    """Unsubscribe (and optionally soft-delete) the contacts with these addresses; how many were unsubscribed."""
    addresses = [str(a).strip().lower() for a in data.get("email_addresses") or []]
    if not addresses:
        raise refuse("email_addresses", "give at least one address")
    if len(addresses) > MAX_ADDRESSES:
        raise refuse("email_addresses", f"at most {MAX_ADDRESSES} addresses")
    for address in addresses:
        checks.email(address, "email_addresses")
    accounts = Account.objects.filter(pk=client.account_id)
    if data.get("global_unsubscribe"):
        if len(set(addresses)) != 1:
            raise refuse("global_unsubscribe", "takes exactly one address in email_addresses")
        partner_id = client.account.partner_id
        assert partner_id is not None  # a client account always has its partner
        accounts = Account.objects.filter(partner_id=partner_id)
    now = timezone.now()
    contacts = Contact.objects.filter(account__in=accounts, deleted_at__isnull=True, email_address__in=addresses)
    changes: dict[str, Any] = {
        "permission_to_send": "unsubscribed",
        "opt_out_source": data["update_source"],
        "opt_out_date": now,
        "opt_out_reason": data.get("opt_out_reason", ""),
        "update_source": data["update_source"],
        "email_updated_at": now,
        "updated_at": now,
    }
    if data.get("delete_contacts"):
        changes["deleted_at"] = now
    return contacts.update(**changes)
