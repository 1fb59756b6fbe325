"""The hook that answers ``tracking`` criteria from campaign tracking rows.

Campaign sends and their tracking (sends, opens, clicks) are not built yet: they arrive with the
campaigns issue. Until then there are no tracking rows, so the hook selects nobody and every
``tracking`` condition, ``not_opened`` and ``not_clicked`` included, is false for every contact.
The criteria parser already accepts and checks ``tracking`` conditions, so segments written now
keep working when the hook learns to read the rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.v3.account.models import Account
from apps.v3.contacts.models import Contact
from apps.v3.contacts.segments.criteria import Condition


def tracking_contact_ids(account: Account, condition: Condition) -> QuerySet[Contact, Any]:
    """Primary keys of ``account``'s contacts whose tracking rows satisfy ``condition``.

    Pending the campaigns issue: returns an empty queryset, so the condition is false for every
    contact. The replacement must stay a queryset (a subquery), never a Python list.
    """
    return Contact.objects.none().values("pk")
