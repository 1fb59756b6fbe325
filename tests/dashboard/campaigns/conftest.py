"""The campaign page tests' account: a confirmed sender, a list of two members, a segment."""

from __future__ import annotations

from typing import Any

import pytest

from apps.v3.account.models import AccountEmail
from apps.v3.contacts.models import Contact, ContactList, ListMembership, Segment
from tests.dashboard.conftest import Connected

SENDER = "news@example.com"


@pytest.fixture
def account_setup(connected: Connected) -> dict[str, Any]:
    """A confirmed and an unconfirmed sender, a list of two members and a segment."""
    account = connected.account
    AccountEmail.objects.create(account=account, email_address=SENDER, confirm_status="CONFIRMED")
    AccountEmail.objects.create(account=account, email_address="pending@example.com")
    regulars = ContactList.objects.create(account=account, name="Regulars")
    for n in range(2):
        contact = Contact.objects.create(account=account, email_address=f"reg{n}@example.com")
        ListMembership.objects.create(contact=contact, contact_list=regulars)
    segment = Segment.objects.create(account=account, name="Openers", segment_criteria="{}")
    return {"list": regulars, "segment": segment}


@pytest.fixture(autouse=True)
def _sends_here(sends_here: None) -> None:
    """Every test here mails its runs in this process (tests/dashboard/conftest.py, ``sends_here``)."""
