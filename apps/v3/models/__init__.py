"""V3 service models, split by domain; import them from here."""

from .accounts import (
    PRIVILEGE_IDS,
    ROLE_PRIVILEGES,
    Account,
    AccountEmail,
    AccountMembership,
    Partner,
    PhysicalAddress,
    Role,
)
from .activities import UNFINISHED_STATES, Activity, ActivityKind, ActivityState
from .contacts import Contact, ContactAddress, ContactNote, ContactPhone, PermissionToSend, SmsPermission
from .custom_fields import CustomField, CustomFieldChoice, CustomFieldValue
from .lists import ContactList, ListMembership
from .oauth import ApplicationAccountChoice, CodeExchange, RefreshTokenAccount
from .segments import Segment
from .tags import Tag, Tagging

__all__ = [
    "ApplicationAccountChoice",
    "Activity",
    "ActivityKind",
    "ActivityState",
    "UNFINISHED_STATES",
    "Contact",
    "ContactAddress",
    "ContactList",
    "ContactNote",
    "ContactPhone",
    "CustomField",
    "CustomFieldChoice",
    "CustomFieldValue",
    "ListMembership",
    "PermissionToSend",
    "Segment",
    "SmsPermission",
    "Tag",
    "Tagging",
    "PRIVILEGE_IDS",
    "ROLE_PRIVILEGES",
    "Account",
    "AccountEmail",
    "AccountMembership",
    "CodeExchange",
    "Partner",
    "PhysicalAddress",
    "RefreshTokenAccount",
    "Role",
]
