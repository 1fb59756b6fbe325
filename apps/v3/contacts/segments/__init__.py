"""Segment criteria: parsing and checking ``segment_criteria``, and selecting the contacts it names.

``validate_criteria(text)`` parses the JSON text (400 naming the problem when it is not valid);
``contacts_matching(account, segment)`` turns a segment's criteria into one queryset of the
account's live contacts. The grammar is described in :mod:`.criteria` and
docs/decisions/contacts.md#segment-criteria-grammar.
"""

from apps.v3.contacts.segments.criteria import Condition, Criteria, CriteriaError, Group, validate_criteria
from apps.v3.contacts.segments.evaluate import contacts_matching
from apps.v3.contacts.segments.tracking import tracking_contact_ids

__all__ = [
    "Condition",
    "Criteria",
    "CriteriaError",
    "Group",
    "contacts_matching",
    "tracking_contact_ids",
    "validate_criteria",
]
