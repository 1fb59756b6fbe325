"""The contacts table's bulk form without a browser: who may use it, and what it refuses or asks first."""

from __future__ import annotations

import html

from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.v3.bulk.models import Activity
from apps.v3.contacts.models import Contact
from tests.dashboard.conftest import Connected, ConnectFactory

LIST_URL = "/contacts/"


def test_viewers_see_no_bulk_form_and_may_not_post_it(connect: ConnectFactory, connected: Connected) -> None:
    ann = Contact.objects.create(account=connected.account, email_address="ann@example.com")
    viewer = connect(role=Role.VIEWER, owner=connected.owner).pages()

    assert 'name="contact_ids"' not in viewer.get(LIST_URL).content.decode()
    response = viewer.post(LIST_URL, {"action": "delete", "contact_ids": [str(ann.contact_id)], "confirmed": "1"})
    assert response.status_code == 403
    assert Contact.objects.get(pk=ann.pk).deleted_at is None


def test_nothing_selected_is_refused_with_a_message(pages: PageClient, connected: Connected) -> None:
    Contact.objects.create(account=connected.account, email_address="ann@example.com")

    response = pages.post(LIST_URL + "?status=active", {"action": "tag", "tag_id": ""}, follow=True)

    assert response.redirect_chain == [(LIST_URL + "?status=active", 302)]
    assert "Select some contacts first." in html.unescape(response.content.decode())
    assert not Activity.objects.exists()


def test_a_delete_asks_first_and_starts_nothing(pages: PageClient, connected: Connected) -> None:
    ann = Contact.objects.create(account=connected.account, email_address="ann@example.com")

    response = pages.post(LIST_URL, {"action": "delete", "contact_ids": [str(ann.contact_id)]})

    page = html.unescape(response.content.decode())
    assert response.status_code == 200 and "Delete 1 contact?" in page
    assert f'<input type="hidden" name="contact_ids" value="{ann.contact_id}">' in page
    assert not Activity.objects.exists()
    assert Contact.objects.get(pk=ann.pk).deleted_at is None
