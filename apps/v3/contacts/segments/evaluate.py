"""Evaluating parsed criteria: one queryset of an account's live contacts, built from Q objects.

Each condition becomes a ``Q`` on the contact row or an ``EXISTS`` subquery on the table that
holds the value (addresses, phones, custom field values, list memberships, taggings), so the
database does the whole selection in one statement and uses the tables' indexes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactPhone,
    CustomFieldValue,
    ListMembership,
    Segment,
    Tagging,
)
from apps.v3.contacts.segments.criteria import (
    CONTACT_FIELDS,
    CUSTOM_FIELD,
    DATE_COMPARISONS,
    Condition,
    Criteria,
    Group,
    validate_criteria,
)
from apps.v3.contacts.segments.tracking import tracking_contact_ids

# A negative operator is its positive twin, negated; on related rows that means "no row
# matches", so a contact without any value satisfies "ne", "not-contains", "is-empty" ...
NEGATIONS = {
    "ne": "eq",
    "not-contains": "contains",
    "not-in": "in",
    "is-empty": "is-not-empty",
    "contains-none": "contains-any",
}
# Dates in custom fields are text; only values that look like ISO dates take part in comparisons.
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"


def contacts_matching(account: Account, segment: Segment | Criteria) -> QuerySet[Contact]:
    """The account's non-deleted contacts that meet ``segment``'s criteria, as one queryset."""
    if isinstance(segment, Segment):
        if segment.account_id != account.pk:
            return Contact.objects.none()
        criteria = validate_criteria(segment.segment_criteria)
    else:
        criteria = segment
    live = Contact.objects.filter(account=account, deleted_at__isnull=True)
    return live.filter(_group(account, criteria.root))


def _group(account: Account, group: Group) -> Q:
    parts = [_group(account, item) if isinstance(item, Group) else _condition(account, item) for item in group.items]
    return reduce(and_ if group.type == "and" else or_, parts)


def _condition(account: Account, condition: Condition) -> Q:
    op = NEGATIONS.get(condition.op, condition.op)
    negated = op != condition.op
    if condition.source == "tracking":
        return Q(pk__in=tracking_contact_ids(account, condition))
    if condition.source == "list_membership":
        rows: QuerySet[Any] = ListMembership.objects.filter(
            contact_list__account=account,
            contact_list__deleted_at__isnull=True,
            contact_list__list_id__in=condition.value,
        )
        return _exists(rows, Q(), negated)
    if condition.source == "tags":
        rows = Tagging.objects.filter(
            tag__account=account, tag__deleted_at__isnull=True, tag__tag_id__in=condition.value
        )
        return _exists(rows, Q(), negated)
    if condition.field == CUSTOM_FIELD:
        values = CustomFieldValue.objects.filter(
            custom_field__account=account, custom_field__custom_field_id=condition.param
        )
        if op in DATE_COMPARISONS:
            return _exists(values, _text_date(op, condition.value), negated)
        return _exists(values, _compare("value", "text", op, condition.value), negated)
    kind = CONTACT_FIELDS[condition.field].kind
    if condition.field.startswith("street_address."):
        column = condition.field.split(".", 1)[1]
        return _exists(ContactAddress.objects.all(), _compare(column, kind, op, condition.value), negated)
    if condition.field == "phone_number":
        return _exists(ContactPhone.objects.all(), _compare("phone_number", kind, op, condition.value), negated)
    q = _compare(condition.field, kind, op, condition.value)
    return ~q if negated else q


def _exists(rows: QuerySet[Any], q: Q, negated: bool) -> Q:
    subquery = Exists(rows.filter(q, contact=OuterRef("pk")))
    return ~Q(subquery) if negated else Q(subquery)


def _compare(column: str, kind: str, op: str, value: Any) -> Q:
    """The positive comparison ``column <op> value`` for a field of ``kind``."""
    if op == "is-not-empty":
        return ~Q(**{column: ""}) if kind == "text" else Q(**{f"{column}__isnull": False})
    if kind == "date":
        first, last = _date_bounds(op, value)
        q = Q()
        if first is not None:
            q &= Q(**{f"{column}__gte": first})
        if last is not None:
            q &= Q(**{f"{column}__lt": last})
        return q
    if kind == "text":
        # Text compares case-insensitively, as people type names and places however they like.
        if op == "in":
            return reduce(or_, (Q(**{f"{column}__iexact": v}) for v in value))
        lookup = {"eq": "iexact", "contains": "icontains", "starts-with": "istartswith", "ends-with": "iendswith"}[op]
        return Q(**{f"{column}__{lookup}": value})
    lookup = {"eq": "exact", "in": "in", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}[op]
    return Q(**{f"{column}__{lookup}": value})


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _date_bounds(op: str, value: Any) -> tuple[datetime | None, datetime | None]:
    """``[first, last)`` instants for a date operator; days are UTC days."""
    if op == "in-last-n-days":
        now = timezone.now()
        return now - timedelta(days=value), now
    first, last = value if op == "between" else (value, value)
    start, end = _day_start(first), _day_start(last + timedelta(days=1))
    return {"on": (start, end), "before": (None, start), "after": (end, None), "between": (start, end)}[op]


def _text_date(op: str, value: Any) -> Q:
    """A date comparison on ISO date text: ISO dates sort as text in date order."""
    first, last = _date_bounds(op, value)
    q = Q(value__regex=_ISO_DATE)
    if first is not None:
        q &= Q(value__gte=first.date().isoformat())
    if last is not None:
        # "In the last n days" ends now; for a date-only value that is the end of today.
        end = last.date() + timedelta(days=1) if op == "in-last-n-days" else last.date()
        q &= Q(value__lt=end.isoformat())
    return q
