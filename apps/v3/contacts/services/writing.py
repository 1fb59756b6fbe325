"""Writing contacts: ``POST /contacts`` (with the revival of a deleted contact), ``PUT /contacts/{id}``,
``DELETE /contacts/{id}`` and ``POST /contacts/sign_up_form``.

Each write reads its body with :mod:`.body` first, then runs in one transaction, so a request
that fails leaves the stored data as it was. What each part of a contact takes is delegated:
consent to :mod:`.consent`, custom field values to :mod:`.field_values`, lists, tags, phones,
addresses and notes to :mod:`.sub_resources`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.contacts.models import (
    Contact,
    ContactAddress,
    ContactNote,
    ContactPhone,
    CustomFieldValue,
    ListMembership,
    PermissionToSend,
    Tagging,
)
from apps.v3.contacts.services.body import ContactChanges, read_contact, read_sign_up
from apps.v3.contacts.services.checks import MAX_LISTS, MAX_TAGS
from apps.v3.contacts.services.consent import check_self_opt_out, set_email, set_sms
from apps.v3.contacts.services.field_values import set_field_values
from apps.v3.contacts.services.sub_resources import (
    merge_address,
    merge_phone,
    replace_addresses,
    replace_notes,
    replace_phones,
    set_links,
)
from apps.v3.gate.errors import V3Error, bad_request, conflict


def _write(contact: Contact, changes: ContactChanges, now: datetime, *, merge: bool = False) -> Contact:
    """Save ``changes`` onto ``contact``: replacing what the body gives, or adding to it (``merge``)."""
    for name, value in changes.scalars.items():
        if value is not None or not merge:
            setattr(contact, name, value if value is not None or name.startswith("birthday") else "")
    contact.update_source = changes.source
    if changes.email is not None:
        set_email(contact, changes.email, changes.source, now)
    if changes.sms is not None:
        set_sms(contact, *changes.sms, now)
    contact.save()
    if changes.custom_fields is not None:
        set_field_values(contact, changes.custom_fields, replace=not merge)
    if changes.phones is not None:
        replace_phones(contact, changes.phones, changes.source)
    if changes.addresses is not None:
        replace_addresses(contact, changes.addresses)
    if changes.list_pks is not None:
        set_links(
            ListMembership,
            contact,
            "contact_list_id",
            changes.list_pks,
            replace=not merge,
            limit=MAX_LISTS,
            where="list_memberships",
        )
    if changes.tag_pks is not None:
        set_links(Tagging, contact, "tag_id", changes.tag_pks, replace=not merge, limit=MAX_TAGS, where="taggings")
    if changes.notes is not None:
        replace_notes(contact, changes.notes, now)
    return contact


# What a revived contact keeps: its identity and its email consent, so a revival can never undo
# an unsubscribe by itself (see consent.check_self_opt_out).
_KEPT_ON_REVIVAL = (
    "id",
    "account",
    "contact_id",
    "created_at",
    "email_address",
    "permission_to_send",
    "email_created_at",
    "email_updated_at",
    "opt_in_source",
    "opt_in_date",
    "opt_out_source",
    "opt_out_date",
    "opt_out_reason",
    "confirm_status",
)


def _clear(contact: Contact) -> None:
    """Forget what a deleted contact held before a create revives it, but for ``_KEPT_ON_REVIVAL``."""
    fresh = Contact(account=contact.account)
    for f in Contact._meta.concrete_fields:
        if f.name not in _KEPT_ON_REVIVAL:
            setattr(contact, f.attname, getattr(fresh, f.attname))
    for related in (CustomFieldValue, ContactPhone, ContactAddress, ContactNote, ListMembership, Tagging):
        related._default_manager.filter(contact=contact).delete()


def _email_taken(account: Account, address: str, contact: Contact | None = None) -> Contact | None:
    """The account's contact (live or deleted, other than ``contact``) holding ``address``; locked."""
    holders = Contact.objects.select_for_update().filter(account=account, email_address=address)
    if contact is not None:
        holders = holders.exclude(pk=contact.pk)
    return holders.first()


def _conflict_on_race() -> V3Error:
    return conflict("Another request changed this contact at the same time; retry.")


def create_contact(account: Account, data: dict[str, Any]) -> Contact:
    """``POST /contacts``: a new contact, or the revival of a deleted one with the same email address."""
    changes = read_contact(account, data, "create_source")
    if changes.email is None and changes.sms is None and not (data.get("first_name") or data.get("last_name")):
        raise bad_request("body: give at least one of first_name, last_name, email_address, sms_channel")
    now = timezone.now()
    email = changes.email
    try:
        with transaction.atomic():
            contact = _email_taken(account, email.address) if email else None
            if contact is not None and contact.deleted_at is None:
                raise conflict(f"email_address: {contact.email_address} is already a contact (id {contact.contact_id})")
            if contact is not None:
                check_self_opt_out(contact, changes)
                _clear(contact)  # a create names everything the contact is to have
            else:
                contact = Contact(account=account, permission_to_send=PermissionToSend.NOT_SET)
            contact.create_source = changes.source
            return _write(contact, changes, now)
    except IntegrityError:
        raise _conflict_on_race() from None


def update_contact(account: Account, contact: Contact, data: dict[str, Any]) -> Contact:
    """``PUT /contacts/{id}``: replace the contact's fields; sub-resources only where the body gives them."""
    changes = read_contact(account, data, "update_source")
    if contact.deleted_at is not None and changes.source != "Account":
        raise bad_request("update_source: must be Account to revive a deleted contact")
    check_self_opt_out(contact, changes)
    now = timezone.now()
    try:
        with transaction.atomic():
            if changes.email is not None and _email_taken(account, changes.email.address, contact) is not None:
                raise conflict(f"email_address: {changes.email.address} belongs to another contact in this account")
            contact.deleted_at = None
            return _write(contact, changes, now)
    except IntegrityError:
        raise _conflict_on_race() from None


def delete_contact(contact: Contact) -> None:
    """``DELETE /contacts/{id}``: mark it deleted; repeating it changes nothing."""
    if contact.deleted_at is None:
        contact.deleted_at = timezone.now()
        contact.save(update_fields=["deleted_at", "updated_at"])


# Live contacts before deleted ones when several share an SMS number.
F_DELETED_LAST = models.F("deleted_at").asc(nulls_first=True)


def sign_up_contact(account: Account, data: dict[str, Any]) -> tuple[Contact, bool]:
    """``POST /contacts/sign_up_form``: create, or update by email (else SMS number) merging lists and fields.

    Returns the contact and whether it was created. A contact signing up gives explicit
    permission, so a match is opted in (and revived if deleted).
    """
    changes, phone, address = read_sign_up(account, data)
    now = timezone.now()
    try:
        with transaction.atomic():
            if changes.email is not None:
                contact = _email_taken(account, changes.email.address)
            else:
                assert changes.sms is not None
                matches = Contact.objects.select_for_update().filter(account=account, sms_address=changes.sms[0])
                contact = matches.order_by(F_DELETED_LAST, "pk").first()
            created = contact is None
            if contact is None:
                contact = Contact(account=account, create_source="Contact", permission_to_send=PermissionToSend.NOT_SET)
            contact.deleted_at = None
            _write(contact, changes, now, merge=True)
            if phone is not None:
                merge_phone(contact, phone)
            if address is not None:
                merge_address(contact, address)
            return contact, created
    except IntegrityError:
        raise _conflict_on_race() from None
