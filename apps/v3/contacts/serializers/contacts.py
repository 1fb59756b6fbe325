"""Response bodies for the Contacts and Contacts Custom Fields tags, built key by key.

The spec's schemas allow no nulls, so a value that is not there is left out rather than sent as
null or an empty string. Sub-resources a caller asked for with ``include`` are always present,
as an empty array when the contact has none, so "none" is not mistaken for "not loaded".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactNote,
    ContactPhone,
    CustomField,
    CustomFieldChoice,
    CustomFieldValue,
    ListMembership,
    SmsPermission,
    Tagging,
)

# The sub-resources ``include`` may name, in the spec's order.
INCLUDES = ("custom_fields", "list_memberships", "phone_numbers", "street_addresses", "taggings", "notes")
SELECT_TYPES = ("single_select", "multi_select")
# Stands for the one consent type the stored SMS fields describe (the model keeps no type).
SMS_CONSENT_TYPE = "promotional_sms"
# Namespace for ids derived from a contact's own id: the SMS channel and its history entries
# have no rows of their own, so their ids are stable functions of what is stored.
_SMS_NAMESPACE = uuid.UUID("7f0c7d1e-5a55-4c1b-9e0e-3c3a5d0b8a41")


def iso(value: datetime | None) -> str | None:
    """A date-time as ISO-8601 with its UTC offset, or None."""
    return value.isoformat() if value is not None else None


def iso_date(value: datetime | date | None) -> str | None:
    """The date part only (``deleted_at`` is a ``date`` in the spec)."""
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def present(**values: Any) -> dict[str, Any]:
    """The given keys whose value is neither None nor an empty string or object."""
    return {k: v for k, v in values.items() if v is not None and v != "" and v != {}}


def _included(name: str) -> str:
    """The attribute a loaded sub-resource lands in on each contact."""
    return f"included_{name}"


def _include_rows(name: str, contact_pks: list[int]) -> Iterable[tuple[int, Any]]:
    """(contact pk, row) pairs of one sub-resource for these contacts: one query.

    Ids and values are read as plain tuples where that is all the response shows; building a
    model per row would cost more than the query on a 500-contact page.
    """
    on = {"contact_id__in": contact_pks}
    if name == "custom_fields":
        values = CustomFieldValue.objects.filter(**on).order_by("pk")
        return (
            (c, rest)
            for c, *rest in values.values_list("contact_id", "custom_field__custom_field_id", "value", "choice_ids")
        )
    if name == "list_memberships":
        # A deleted list keeps its rows until purged but is no longer a membership to report.
        live = ListMembership.objects.filter(**on, contact_list__deleted_at__isnull=True).order_by("pk")
        return live.values_list("contact_id", "contact_list__list_id")
    if name == "taggings":
        # Likewise a deleted tag's taggings, until its activity removes them.
        live_tags = Tagging.objects.filter(**on, tag__deleted_at__isnull=True).order_by("pk")
        return live_tags.values_list("contact_id", "tag__tag_id")
    # The spec lists notes most recent first.
    rows: QuerySet[Any] = {
        "phone_numbers": ContactPhone.objects.order_by("pk"),
        "street_addresses": ContactAddress.objects.order_by("pk"),
        "notes": ContactNote.objects.order_by("-created_at", "-pk"),
    }[name]
    return ((row.contact_id, row) for row in rows.filter(**on))


def load_includes(contacts: list[Contact], include: Collection[str]) -> list[Contact]:
    """Attach the included sub-resources to ``contacts``: one query per sub-resource, whatever their number."""
    pks = [c.pk for c in contacts]
    for name in INCLUDES:
        if name not in include:
            continue
        grouped: dict[int, list[Any]] = {pk: [] for pk in pks}
        if pks:
            for contact_pk, row in _include_rows(name, pks):
                grouped[contact_pk].append(row)
        for contact in contacts:
            setattr(contact, _included(name), grouped[contact.pk])
    return contacts


def email_address(contact: Contact) -> dict[str, Any] | None:
    """The ``EmailAddress`` sub-resource, or None for a contact without one."""
    if not contact.email_address:
        return None
    return present(
        address=contact.email_address,
        permission_to_send=contact.permission_to_send,
        created_at=iso(contact.email_created_at),
        updated_at=iso(contact.email_updated_at),
        opt_in_source=contact.opt_in_source,
        opt_in_date=iso(contact.opt_in_date),
        opt_out_source=contact.opt_out_source,
        opt_out_date=iso(contact.opt_out_date),
        opt_out_reason=contact.opt_out_reason,
        confirm_status=contact.confirm_status,
    )


def sms_channel_id(contact: Contact) -> str:
    """A stable id for the contact's one SMS channel."""
    return str(uuid.uuid5(_SMS_NAMESPACE, f"{contact.contact_id}:sms"))


def sms_channel(contact: Contact) -> dict[str, Any] | None:
    """The ``sms_channel`` object, from the stored SMS number and permission; None without a number."""
    if not contact.sms_address:
        return None
    opted_in = contact.sms_permission == SmsPermission.EXPLICIT
    opted_out = contact.sms_permission == SmsPermission.UNSUBSCRIBED
    consent = present(
        sms_consent_permission=contact.sms_permission,
        consent_type=SMS_CONSENT_TYPE,
        opt_in_date=iso(contact.sms_consent_date) if opted_in else None,
        opt_out_date=iso(contact.sms_consent_date) if opted_out else None,
        created_at=iso(contact.sms_consent_date),
        updated_at=iso(contact.sms_consent_date),
    )
    return present(
        sms_channel_id=sms_channel_id(contact),
        sms_address=contact.sms_address,
        update_source=contact.update_source,
        create_source=contact.create_source,
        sms_channel_consents=[consent],
    )


def _custom_field_value(row: tuple[uuid.UUID, str, list[int]]) -> dict[str, Any]:
    custom_field_id, value, choice_ids = row
    return present(custom_field_id=str(custom_field_id), value=value, choice_ids=[str(c) for c in choice_ids] or None)


def _phone(phone: ContactPhone) -> dict[str, Any]:
    return present(
        phone_number_id=str(phone.phone_number_id),
        phone_number=phone.phone_number,
        kind=phone.kind,
        created_at=iso(phone.created_at),
        updated_at=iso(phone.updated_at),
        update_source=phone.update_source,
        create_source=phone.create_source,
    )


def _address(address: ContactAddress) -> dict[str, Any]:
    return present(
        street_address_id=str(address.street_address_id),
        kind=address.kind,
        street=address.street,
        city=address.city,
        state=address.state,
        postal_code=address.postal_code,
        country=address.country,
        created_at=iso(address.created_at),
        updated_at=iso(address.updated_at),
    )


def _note(note: ContactNote) -> dict[str, Any]:
    return present(note_id=str(note.note_id), created_at=iso(note.created_at), content=note.content)


def contact_resource(contact: Contact, include: Collection[str] = ()) -> dict[str, Any]:
    """A ``ContactResource``; the sub-resources named in ``include`` must come from :func:`load_includes`."""
    body = present(
        contact_id=str(contact.contact_id),
        email_address=email_address(contact),
        first_name=contact.first_name,
        last_name=contact.last_name,
        job_title=contact.job_title,
        company_name=contact.company_name,
        birthday_month=contact.birthday_month,
        birthday_day=contact.birthday_day,
        anniversary=contact.anniversary,
        update_source=contact.update_source,
        create_source=contact.create_source,
        created_at=iso(contact.created_at),
        updated_at=iso(contact.updated_at),
        deleted_at=iso_date(contact.deleted_at),
        sms_channel=sms_channel(contact),
    )
    render: dict[str, Callable[[Any], Any]] = {
        "custom_fields": _custom_field_value,
        "list_memberships": str,
        "phone_numbers": _phone,
        "street_addresses": _address,
        "taggings": str,
        "notes": _note,
    }
    for name in INCLUDES:
        if name in include:
            body[name] = [render[name](row) for row in getattr(contact, _included(name))]
    return body


def contacts_page(
    contacts: Iterable[Contact], include: Collection[str], links: dict[str, Any], count: int | None = None
) -> dict[str, Any]:
    """The ``Contacts`` collection body."""
    body: dict[str, Any] = {"contacts": [contact_resource(c, include) for c in contacts]}
    if count is not None:
        body["contacts_count"] = count
    body["_links"] = links
    return body


def sms_engagement_history(contact: Contact) -> list[dict[str, Any]]:
    """The consent history the stored SMS fields support: the current consent, once.

    The model keeps the latest SMS permission and when it was given, not every change, so the
    history has at most one entry: the action that led to the present state.
    """
    if not contact.sms_address or contact.sms_permission == SmsPermission.NOT_SET:
        return []
    actions = {
        SmsPermission.EXPLICIT: ("E", "opt_in"),
        SmsPermission.UNSUBSCRIBED: ("O", "opt_out"),
        SmsPermission.PENDING_CONFIRMATION: ("P", "pending_confirmation"),
    }
    state, action = actions[SmsPermission(contact.sms_permission)]
    when = contact.sms_consent_date or contact.updated_at
    details = present(
        state=state,
        # A for Account, C for Contact: who made the last change.
        source=(contact.update_source or "Account")[0].upper(),
        consent_type=SMS_CONSENT_TYPE,
        consent_action_time=iso(when),
        consent_action_type=action,
        source_consent_timestamp=iso(when),
        source_sms_number=contact.sms_address,
    )
    return [
        present(
            contact_id=str(contact.contact_id),
            sms_channel_id=sms_channel_id(contact),
            sms_channel_history_id=str(uuid.uuid5(_SMS_NAMESPACE, f"{contact.contact_id}:{iso(when)}")),
            insert_time=iso(when),
            history_details=details,
        )
    ]


def custom_field_prefetch() -> Prefetch[Any]:
    """The choices of select-type custom fields, in display order."""
    return Prefetch("choices", queryset=CustomFieldChoice.objects.order_by("display_order", "choice_id"))


def custom_field_resource(field: CustomField) -> dict[str, Any]:
    """A ``CustomField``; its choices must have been prefetched (see :func:`custom_field_prefetch`)."""
    body = present(
        custom_field_id=str(field.custom_field_id),
        label=field.label,
        name=field.name,
        type=field.type,
        metadata=field.metadata or None,
        # The version tells legacy (1) from comparable (2) dates; other types have none.
        version=field.version if field.type == "date" else None,
    )
    if field.type in SELECT_TYPES:
        body["choices"] = [
            present(
                custom_field_id=str(field.custom_field_id),
                choice_id=choice.choice_id,
                choice_label=choice.choice_label,
                display_order=choice.display_order,
                created_at=iso(choice.created_at),
                updated_at=iso(choice.updated_at),
            )
            for choice in field.choices.all()
        ]
    body.update(present(created_at=iso(field.created_at), updated_at=iso(field.updated_at)))
    return body
