"""SMS test helpers: an account's list of contacts with and without SMS permission, and a campaign to them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.v3.account.models import Account
from apps.v3.contacts.models import Contact, ContactList, SmsPermission
from apps.v3.sms.backends import memory
from apps.v3.sms.models import SmsCampaign
from apps.v3.sms.services import create_sms_campaign

TEXT = "Spring sale today: https://shop.example.com/sale?src=sms. Sizes: https://shop.example.com/sizes"


@pytest.fixture(autouse=True)
def sms_outbox() -> Iterator[list[memory.SmsMessage]]:
    """The memory backend's outbox, empty for each test (and no refused numbers)."""
    memory.outbox.clear()
    memory.refused.clear()
    yield memory.outbox
    memory.outbox.clear()
    memory.refused.clear()


def contact(account: Account, name: str, number: str, permission: str, *lists: ContactList) -> Contact:
    """A contact named ``name`` with an SMS number and permission, on ``lists``."""
    made = Contact.objects.create(
        account=account,
        email_address=f"{name}@example.com",
        first_name=name,
        sms_address=number,
        sms_permission=permission,
    )
    for contact_list in lists:
        made.memberships.create(contact_list=contact_list)
    return made


def audience(account: Account) -> tuple[ContactList, dict[str, Contact]]:
    """A list with permitted, unpermitted, unsubscribed and deleted contacts, and a permitted one off the list."""
    on, other = (ContactList.objects.create(account=account, name=n) for n in ("SMS fans", "Others"))
    people = {
        "ann": contact(account, "ann", "+1 (555) 010-0001", SmsPermission.EXPLICIT, on),
        "bob": contact(account, "bob", "+15550100002", SmsPermission.NOT_SET, on),
        "cat": contact(account, "cat", "+15550100003", SmsPermission.UNSUBSCRIBED, on),
        "dan": contact(account, "dan", "+15550100004", SmsPermission.EXPLICIT, other),
        "eve": contact(account, "eve", "+15550100005", SmsPermission.EXPLICIT, on, other),
        "fay": contact(account, "fay", "", SmsPermission.EXPLICIT, on),
        "gus": contact(account, "gus", "+15550100007", SmsPermission.PENDING_CONFIRMATION, on),
    }
    gone = contact(account, "hal", "+15550100008", SmsPermission.EXPLICIT, on)
    Contact.objects.filter(pk=gone.pk).update(deleted_at=gone.created_at)
    return on, people


def campaign_to(account: Account, contact_list: ContactList, name: str = "Spring", text: str = TEXT) -> SmsCampaign:
    """A DRAFT campaign of ``text`` to ``contact_list``."""
    return create_sms_campaign(account, name, text, [contact_list.list_id])
