"""Contacts: the collection and its filters, one contact, the sign-up form, counts, id cross-references,
resubscribing, and SMS engagement history.

Views parse the request by the spec, call a named action in ``apps.v3.services.contacts``, and
render with ``apps.v3.serializers.contacts``. Everything is scoped to ``self.account``.
"""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from apps.v3.gate.errors import bad_request
from apps.v3.models import Account, Contact
from apps.v3.serializers.contacts import (
    INCLUDES,
    contact_resource,
    contacts_page,
    load_includes,
    sms_engagement_history,
)
from apps.v3.services import contacts as actions

from . import paging
from .base import V3View
from .bodies import read_body
from .paging import keyset_page, next_link
from .params import CURSOR, parse_query, path_uuid


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
        params = parse_query("getContacts", request.query_params)
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
        contact = actions.create_contact(self.account, read_body("createContact", request))
        return Response(contact_resource(_contact(self.account, contact.contact_id), INCLUDES), status=201)


class ContactView(V3View):
    """``GET``, ``PUT`` and ``DELETE /contacts/{contact_id}``.

    A deleted contact is still found (with ``deleted_at``), as the resource schema describes:
    it can be read, revived by PUT, and deleting it again changes nothing.
    """

    operation_ids = {"get": "getContact", "put": "putContact", "delete": "deleteContact"}

    def get(self, request: Request, contact_id: str) -> Response:
        params = parse_query("getContact", request.query_params)
        include = params.get("include") or []
        contact = _contact(self.account, path_uuid("getContact", "contact_id", contact_id), include)
        return Response(contact_resource(contact, include))

    def put(self, request: Request, contact_id: str) -> Response:
        contact = actions.find_contact(self.account, path_uuid("putContact", "contact_id", contact_id))
        actions.update_contact(self.account, contact, read_body("putContact", request))
        return Response(contact_resource(_contact(self.account, contact.contact_id), INCLUDES))

    def delete(self, request: Request, contact_id: str) -> Response:
        contact = actions.find_contact(self.account, path_uuid("deleteContact", "contact_id", contact_id))
        actions.delete_contact(contact)
        return Response(status=204)


class SignUpFormView(V3View):
    """``POST /contacts/sign_up_form``: 201 when it creates, 200 when it updates."""

    operation_ids = {"post": "createOrUpdateContact"}

    def post(self, request: Request) -> Response:
        contact, created = actions.sign_up_contact(self.account, read_body("createOrUpdateContact", request))
        body = {"contact_id": str(contact.contact_id), "action": "created" if created else "updated"}
        return Response(body, status=201 if created else 200)


class ResubscribeView(V3View):
    """``PUT /contacts/resubscribe/{contact_id}``: 200 with no body."""

    operation_ids = {"put": "resubscribeContact"}

    def put(self, request: Request, contact_id: str) -> Response:
        contact = actions.find_contact(self.account, path_uuid("resubscribeContact", "contact_id", contact_id))
        data = read_body("resubscribeContact", request)
        actions.resubscribe_contact(self.account, contact, data["list_ids"])
        return Response(status=200)


class ContactCountsView(V3View):
    """``GET /contacts/counts``."""

    operation_ids = {"get": "countContact"}

    def get(self, request: Request) -> Response:
        params = parse_query("countContact", request.query_params)
        return Response(actions.contact_counts(self.account, params.get("include") == "new_subscriber"))


class ContactXrefsView(V3View):
    """``GET /contacts/contact_id_xrefs``: V2 sequence ids to V3 contact ids."""

    operation_ids = {"get": "getContactIdXrefs"}

    def get(self, request: Request) -> Response:
        params = parse_query("getContactIdXrefs", request.query_params)
        pairs = actions.contact_xrefs(self.account, params["sequence_ids"])
        return Response({"xrefs": [{"sequence_id": str(seq), "contact_id": str(cid)} for seq, cid in pairs]})


class SmsEngagementHistoryView(V3View):
    """``GET /contacts/sms_engagement_history/{contact_id}``."""

    operation_ids = {"get": "getSmsEngagementHistory"}

    def get(self, request: Request, contact_id: str) -> Response:
        contact_uuid = path_uuid("getSmsEngagementHistory", "contact_id", contact_id)
        return Response(sms_engagement_history(actions.find_contact(self.account, contact_uuid)))


__all__ = [
    "ContactCountsView",
    "ContactView",
    "ContactXrefsView",
    "ContactsView",
    "ResubscribeView",
    "SignUpFormView",
    "SmsEngagementHistoryView",
    "path_uuid",
    "read_body",
]
