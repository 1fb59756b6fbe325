"""Email and SMS consent: how a permission moves and what it stamps, who may move it back, and
``PUT /contacts/resubscribe/{id}`` with the contact's confirmation from the link it mails.

Kept apart from the other writers because these rules decide whether the account may send to
the contact at all; every write that touches ``permission_to_send`` goes through here.
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.contacts.models import Contact, ContactList, ListMembership, PermissionToSend
from apps.v3.contacts.services.body import ContactChanges, EmailChange, list_pks
from apps.v3.contacts.services.checks import MAX_LISTS
from apps.v3.contacts.services.resubscribe_link import consent_stamp, read_link, send_resubscribe_mail
from apps.v3.contacts.services.sub_resources import set_links
from apps.v3.gate.errors import V3Error, bad_request, conflict


def _set_permission(contact: Contact, permission: str, source: str, now: datetime) -> None:
    """Move the email permission, stamping the opt-in or opt-out it amounts to."""
    if permission == contact.permission_to_send:
        return
    contact.permission_to_send = permission
    if permission == PermissionToSend.EXPLICIT:
        contact.opt_in_source, contact.opt_in_date = source, now
        contact.confirm_status = "confirmed" if contact.confirm_status == "pending" else contact.confirm_status
    if permission == PermissionToSend.PENDING_CONFIRMATION:
        contact.confirm_status = "pending"
    if permission == PermissionToSend.UNSUBSCRIBED:
        # Stamps still here are the contact's own opt-out, kept through a pending resubscribe
        # (resubscribe_contact): the account moving them back must not make it the account's.
        if contact.opt_out_source != "Contact" or source == "Contact":
            contact.opt_out_source, contact.opt_out_date = source, now
    elif permission == PermissionToSend.PENDING_CONFIRMATION and contact.opt_out_source == "Contact":
        pass  # see resubscribe_contact: the contact's own opt-out stands until they confirm
    else:
        contact.opt_out_source, contact.opt_out_date, contact.opt_out_reason = "", None, ""


def set_email(contact: Contact, change: EmailChange, source: str, now: datetime) -> None:
    """A new address starts implicit unless the body says otherwise; a changed one keeps its consent."""
    had_email = bool(contact.email_address)
    before = (contact.email_address, contact.permission_to_send)
    if change.address != contact.email_address:
        contact.email_created_at = contact.email_created_at if had_email else now
        contact.email_address = change.address
    default = contact.permission_to_send if had_email else PermissionToSend.IMPLICIT
    _set_permission(contact, change.permission or default, source, now)
    if (contact.email_address, contact.permission_to_send) != before:
        contact.email_updated_at = now
    if change.opt_out_reason is not None and contact.permission_to_send == PermissionToSend.UNSUBSCRIBED:
        contact.opt_out_reason = change.opt_out_reason


def set_sms(contact: Contact, number: str, permission: str, now: datetime) -> None:
    """Set the SMS number and consent; the consent date moves only when either changes."""
    if number != contact.sms_address or permission != contact.sms_permission:
        contact.sms_consent_date = now
    contact.sms_address, contact.sms_permission = number, permission


def check_self_opt_out(contact: Contact, changes: ContactChanges) -> None:
    """An account may not opt back in a contact who unsubscribed themselves: only the contact can.

    That holds while a resubscribe request waits for the contact's confirmation too, or the
    account could skip the confirmation the request asked for.
    """
    wanted = changes.email.permission if changes.email else None
    current = contact.permission_to_send
    if contact.opt_out_source != "Contact" or changes.source != "Account":
        return
    # Leaving the permission as it is (a PUT echoing what it read) or unsubscribing stays allowed.
    if wanted in (None, current, PermissionToSend.UNSUBSCRIBED):
        return
    if current == PermissionToSend.UNSUBSCRIBED:
        raise conflict(
            "email_address.permission_to_send: the contact unsubscribed themselves; "
            "ask them to resubscribe with PUT /contacts/resubscribe/{contact_id}"
        )
    if current == PermissionToSend.PENDING_CONFIRMATION:
        raise conflict(
            "email_address.permission_to_send: the contact unsubscribed themselves and has not yet confirmed "
            "the resubscribe email; only their confirmation resubscribes them"
        )


def resubscribe_contact(account: Account, contact: Contact, raw_list_ids: list[Any]) -> None:
    """``PUT /contacts/resubscribe/{id}``: mail an unsubscribed contact a link to confirm, adding the lists.

    The contact stays unsendable (``pending_confirmation``) until they confirm; because only an
    unsubscribed contact qualifies, a second request for the same contact is refused. The mail is
    sent inside the transaction, so when it cannot be sent (503) nothing has changed.
    """
    if not raw_list_ids:
        raise bad_request("list_ids: at least one list id is required")
    pks = list_pks(account, raw_list_ids, "list_ids")
    try:
        with transaction.atomic():
            # Locked, so that two requests for one contact cannot both find it unsubscribed and mail it.
            contact = Contact.objects.select_for_update(of=("self",)).select_related("account").get(pk=contact.pk)
            _check_resubscribable(contact)
            now = timezone.now()
            _set_permission(contact, PermissionToSend.PENDING_CONFIRMATION, "Account", now)
            # The consent changed; the link carries this moment, so a later change retires it.
            contact.email_updated_at = now
            contact.update_source = "Account"
            contact.save()
            set_links(ListMembership, contact, "contact_list_id", pks, replace=False, limit=MAX_LISTS, where="list_ids")
            names = ContactList.objects.filter(pk__in=pks).order_by("name").values_list("name", flat=True)
            send_resubscribe_mail(contact, list(names))
    except (smtplib.SMTPException, OSError) as exc:
        raise V3Error(503, "api.service_unavailable", "The resubscribe email could not be sent; try again.") from exc


def _check_resubscribable(contact: Contact) -> None:
    if contact.deleted_at is not None:
        raise conflict("The contact is deleted; revive it with PUT /contacts/{contact_id} first.")
    if not contact.email_address:
        raise conflict("The contact has no email address to send a confirmation to.")
    if contact.permission_to_send != PermissionToSend.UNSUBSCRIBED:
        raise conflict(f"The contact is not unsubscribed (permission_to_send is {contact.permission_to_send}).")


class LinkOutcome(StrEnum):
    """What following a resubscribe link came to."""

    READY = "ready"  # genuine and current: the page offers the button
    CONFIRMED = "confirmed"  # this visit resubscribed the contact
    ALREADY_SUBSCRIBED = "already_subscribed"  # used before, or subscribed since: nothing to do
    EXPIRED = "expired"  # genuine but older than the lifetime
    CHANGED = "changed"  # the contact's address or permission changed since (a newer request included)
    GONE = "gone"  # the contact was deleted
    INVALID = "invalid"  # tampered or cut: names no contact


def _open_link(token: str, lock: bool) -> tuple[Contact | None, LinkOutcome]:
    """The contact a link names and whether it can confirm now (``READY``) or why not."""
    claim = read_link(token)
    if claim is None:
        return None, LinkOutcome.INVALID
    contacts = Contact.objects.select_for_update(of=("self",)) if lock else Contact.objects
    contact = contacts.select_related("account").filter(contact_id=claim.contact_id).first()
    if contact is None or contact.deleted_at is not None:
        return contact, LinkOutcome.GONE
    if contact.permission_to_send == PermissionToSend.EXPLICIT:
        return contact, LinkOutcome.ALREADY_SUBSCRIBED
    if claim.expired:
        return contact, LinkOutcome.EXPIRED
    current = contact.permission_to_send == PermissionToSend.PENDING_CONFIRMATION
    if not current or contact.email_updated_at is None or consent_stamp(contact) != claim.consent_stamp:
        return contact, LinkOutcome.CHANGED
    return contact, LinkOutcome.READY


def check_resubscribe_link(token: str) -> tuple[Contact | None, LinkOutcome]:
    """What a resubscribe link would do, changing nothing (a GET: mail scanners prefetch links)."""
    return _open_link(token, lock=False)


def confirm_resubscribe(token: str) -> tuple[Contact | None, LinkOutcome]:
    """The contact's own confirmation: ``explicit``, opted in by ``Contact`` now; else why not."""
    with transaction.atomic():
        contact, outcome = _open_link(token, lock=True)
        if contact is None or outcome != LinkOutcome.READY:
            return contact, outcome
        now = timezone.now()
        _set_permission(contact, PermissionToSend.EXPLICIT, "Contact", now)
        contact.email_updated_at = now
        contact.update_source = "Contact"
        contact.save()
    return contact, LinkOutcome.CONFIRMED
