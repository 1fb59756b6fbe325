"""Contacts: the collection and its filters, one contact, the sign-up form, counts, id cross-references,
resubscribing, and SMS engagement history.

Views parse the request by the spec, call a named action in ``apps.v3.contacts.services``, and
render with ``apps.v3.contacts.serializers.contacts``. Everything is scoped to ``self.account``.
"""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.account.models import Account
from apps.v3.contacts import services as actions
from apps.v3.contacts.models import Contact
from apps.v3.contacts.serializers.contacts import (
    INCLUDES,
    contact_resource,
    contacts_page,
    load_includes,
    sms_engagement_history,
)
from apps.v3.gate.errors import bad_request
from apps.v3.http import paging
from apps.v3.http.base import V3View
from apps.v3.http.paging import keyset_page, next_link
from apps.v3.http.params import CURSOR


def _after_pk(cursor: str | None) -> int | None:
    """The row id a ``GET /contacts`` cursor continues after; None when absent or not ours.

    A cursor it cannot read is left for ``keyset_page`` to refuse with its 400.
    """
    if not cursor:
        return None
    key = paging.cursor_key(cursor)
    return key[0] if isinstance(key, list) and len(key) == 1 and isinstance(key[0], int) else None


def _contact(account: Account, contact_id: uuid.UUID, include: Any = INCLUDES) -> Contact:
    return load_includes([actions.find_contact(account, contact_id)], include)[0]


# ---------------------------------------------------------------------------------------------
# Views


class ContactsView(V3View):
    """``GET /contacts`` (filtered, cursor-paged) and ``POST /contacts``."""

    operation_ids = {"get": "getContacts", "post": "createContact"}

    def get(self, request: Request) -> Response:
        params = self.query()
        # Not in the spec: this service's own addition, which the dashboard's search box uses
        # (docs/decisions/contacts.md#contact-search). Its query value passed the text check above.
        params["search"] = actions.read_search(request.query_params.get("search"))
        include = params.get("include") or []
        if params.get("segment_id"):
            others = sorted(set(request.query_params) - {"segment_id", "limit", CURSOR})
            if others:
                raise bad_request(f"segment_id: combines only with limit, not with {', '.join(others)}")
            contacts = actions.segment_contacts(self.account, params["segment_id"])
            count = None
        else:
            contacts = actions.search_contacts(self.account, params, after_pk=_after_pk(params.get(CURSOR)))
            count = actions.search_contacts(self.account, params).count() if params.get("include_count") else None
        page = keyset_page(contacts, params["limit"], params.get(CURSOR))
        load_includes(page.rows, include)
        query = {k: request.query_params.getlist(k) for k in request.query_params}
        return Response(contacts_page(page.rows, include, next_link(request.path, query, page.next_cursor), count))

    def post(self, request: Request) -> Response:
        contact = actions.create_contact(self.account, self.body())
        return Response(contact_resource(_contact(self.account, contact.contact_id), INCLUDES), status=201)


class ContactView(V3View):
    """``GET``, ``PUT`` and ``DELETE /contacts/{contact_id}``.

    A deleted contact is still found (with ``deleted_at``), as the resource schema describes:
    it can be read, revived by PUT, and deleting it again changes nothing.
    """

    operation_ids = {"get": "getContact", "put": "putContact", "delete": "deleteContact"}

    def get(self, request: Request, contact_id: str) -> Response:
        params = self.query()
        include = params.get("include") or []
        contact = _contact(self.account, self.path_id("contact_id", contact_id), include)
        return Response(contact_resource(contact, include))

    def put(self, request: Request, contact_id: str) -> Response:
        contact = actions.find_contact(self.account, self.path_id("contact_id", contact_id))
        actions.update_contact(self.account, contact, self.body())
        return Response(contact_resource(_contact(self.account, contact.contact_id), INCLUDES))

    def delete(self, request: Request, contact_id: str) -> Response:
        contact = actions.find_contact(self.account, self.path_id("contact_id", contact_id))
        actions.delete_contact(contact)
        return Response(status=204)


class SignUpFormView(V3View):
    """``POST /contacts/sign_up_form``: 201 when it creates, 200 when it updates."""

    operation_ids = {"post": "createOrUpdateContact"}

    def post(self, request: Request) -> Response:
        contact, created = actions.sign_up_contact(self.account, self.body())
        body = {"contact_id": str(contact.contact_id), "action": "created" if created else "updated"}
        return Response(body, status=201 if created else 200)


class ResubscribeView(V3View):
    """``PUT /contacts/resubscribe/{contact_id}``: 200 with no body."""

    operation_ids = {"put": "resubscribeContact"}

    def put(self, request: Request, contact_id: str) -> Response:
        contact = actions.find_contact(self.account, self.path_id("contact_id", contact_id))
        data = self.body()
        actions.resubscribe_contact(self.account, contact, data["list_ids"])
        return Response(status=200)


class ContactCountsView(V3View):
    """``GET /contacts/counts``."""

    operation_ids = {"get": "countContact"}

    def get(self, request: Request) -> Response:
        params = self.query()
        return Response(actions.contact_counts(self.account, params.get("include") == "new_subscriber"))


class ContactXrefsView(V3View):
    """``GET /contacts/contact_id_xrefs``: V2 sequence ids to V3 contact ids."""

    operation_ids = {"get": "getContactIdXrefs"}

    def get(self, request: Request) -> Response:
        params = self.query()
        pairs = actions.contact_xrefs(self.account, params["sequence_ids"])
        return Response({"xrefs": [{"sequence_id": str(seq), "contact_id": str(cid)} for seq, cid in pairs]})


class SmsEngagementHistoryView(V3View):
    """``GET /contacts/sms_engagement_history/{contact_id}``."""

    operation_ids = {"get": "getSmsEngagementHistory"}

    def get(self, request: Request, contact_id: str) -> Response:
        contact_uuid = self.path_id("contact_id", contact_id)
        return Response(sms_engagement_history(actions.find_contact(self.account, contact_uuid)))


__all__ = [
    "ContactCountsView",
    "ContactView",
    "ContactXrefsView",
    "ContactsView",
    "ResubscribeView",
    "SignUpFormView",
    "SmsEngagementHistoryView",
]
