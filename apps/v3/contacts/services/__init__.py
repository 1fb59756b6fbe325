"""Named actions on contacts and custom fields: check a request against the account, then write.

Split by what each part holds, from the bottom up (each module imports only those above it):

- ``checks``: the limits the operations state in words and the small value checks all share;
- ``resubscribe_link``: the signed link of a resubscribe email and the mail itself (beside ``checks``);
- ``custom_fields``: custom field definitions (``/contact_custom_fields``);
- ``field_values``: a contact's custom field values, checked against their field's type, and written;
- ``body``: a contact body (``POST``/``PUT /contacts``, the sign-up form) checked and resolved;
- ``sub_resources``: lists, tags, phones, addresses and notes of a contact, replaced or merged;
- ``consent``: email and SMS permission, self opt-outs, and resubscribing;
- ``writing``: create (and revive), update, delete, and the sign-up form;
- ``reading``: one contact, the ``GET /contacts`` filters, segments, counts, id cross-references.

Only the names the endpoints and the import activity call are exported here.
"""

from apps.v3.contacts.services.checks import parse_calendar_date
from apps.v3.contacts.services.consent import resubscribe_contact
from apps.v3.contacts.services.custom_fields import (
    create_custom_field,
    delete_custom_field,
    find_custom_field,
    update_custom_field,
)
from apps.v3.contacts.services.reading import (
    contact_counts,
    contact_xrefs,
    find_contact,
    read_search,
    search_contacts,
    segment_contacts,
)
from apps.v3.contacts.services.writing import create_contact, delete_contact, sign_up_contact, update_contact

__all__ = [
    "contact_counts",
    "contact_xrefs",
    "create_contact",
    "create_custom_field",
    "delete_contact",
    "delete_custom_field",
    "find_contact",
    "find_custom_field",
    "parse_calendar_date",
    "read_search",
    "resubscribe_contact",
    "search_contacts",
    "segment_contacts",
    "sign_up_contact",
    "update_contact",
    "update_custom_field",
]
