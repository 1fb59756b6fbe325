"""The contacts domain's data: contacts, custom fields, lists, tags and segments; import them from here."""

from apps.v3.contacts.models.contacts import (
    Contact,
    ContactAddress,
    ContactNote,
    ContactPhone,
    PermissionToSend,
    SmsPermission,
)
from apps.v3.contacts.models.custom_fields import CustomField, CustomFieldChoice, CustomFieldValue
from apps.v3.contacts.models.lists import ContactList, ListMembership
from apps.v3.contacts.models.segments import Segment
from apps.v3.contacts.models.tags import Tag, Tagging

__all__ = [
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
]
