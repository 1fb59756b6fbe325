"""The contact list pages against the live V3 service over real HTTP: table, paging, create, edit, delete, favorite.

Bulk data is arranged with the service's models (tests may import ``apps.v3``); everything a page
shows or changes goes through the dashboard's client to the live server.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.ctct import Client
from apps.v3.bulk.handlers import process
from apps.v3.bulk.models import Activity, ActivityKind
from apps.v3.contacts.models import Contact, ContactList, ListMembership
from tests.dashboard.conftest import Connected, ConnectFactory, announced_error, link_texts, page_text, pager_link

LISTS = "/contacts/lists/"


@pytest.fixture
def news(connected: Connected) -> ContactList:
    """A list with two members."""
    newsletter = ContactList.objects.create(account=connected.account, name="Newsletter", description="Monthly")
    for n in range(2):
        contact = Contact.objects.create(
            account=connected.account, email_address=f"reader{n}@example.com", permission_to_send="implicit"
        )
        ListMembership.objects.create(contact=contact, contact_list=newsletter)
    return newsletter


def row_names(page: str) -> list[str]:
    """The list names in the table, in order."""
    return link_texts(page, LISTS)


def test_an_account_without_lists_offers_to_create_one(pages: PageClient) -> None:
    page = page_text(pages.get(LISTS))

    assert "There are no lists yet" in page
    assert 'href="/contacts/lists/new/">Create your first list</a>' in page


def test_the_table_shows_each_list_with_its_favorite_flag_and_membership_count(
    pages: PageClient, news: ContactList, connected: Connected
) -> None:
    ContactList.objects.create(account=connected.account, name="VIP", favorite=True)

    page = page_text(pages.get(LISTS))

    assert row_names(page) == ["Newsletter", "VIP"]
    assert "2 lists in this account." in page
    newsletter_row = page[page.index(f'id="list-{news.list_id}"') :].split("</tr>")[0]
    assert "<td>2</td>" in newsletter_row and 'aria-pressed="false"' in newsletter_row
    assert 'aria-pressed="true"' in page  # VIP


def test_paging_follows_the_apis_cursor_and_a_stale_link_starts_again(pages: PageClient, connected: Connected) -> None:
    ContactList.objects.bulk_create(ContactList(account=connected.account, name=f"List {n:02d}") for n in range(53))

    first = pages.get(LISTS)
    assert len(row_names(page_text(first))) == 50 and "53 lists in this account." in page_text(first)
    next_href = pager_link(first, "next")
    assert next_href is not None and "First page" not in page_text(first)

    second = page_text(pages.get(next_href))
    assert row_names(second) == ["List 50", "List 51", "List 52"]
    assert 'rel="next"' not in second and ">First page</a>" in second

    stale = pages.get(LISTS + "?cursor=cursor%3Dforged")
    assert len(row_names(page_text(stale))) == 50
    assert "That page link has expired" in page_text(stale)


def test_creating_a_list_through_the_api_then_showing_it(pages: PageClient, api: Client) -> None:
    form = pages.get("/contacts/lists/new/")
    assert form.status_code == 200 and 'name="name"' in page_text(form)

    response = pages.post(
        "/contacts/lists/new/", {"name": "Spring fair", "description": "Stall visitors", "favorite": "on"}
    )

    created = next(item for item in api.contact_lists.iter_lists() if item["name"] == "Spring fair")
    assert created["description"] == "Stall visitors" and created["favorite"] is True
    assert response.status_code == 302 and response["Location"] == f"/contacts/lists/{created['list_id']}/"
    detail = page_text(pages.get(response["Location"]))
    assert "The list Spring fair was created." in detail and "Stall visitors" in detail


def test_a_blank_name_is_refused_at_the_field(pages: PageClient) -> None:
    response = pages.post("/contacts/lists/new/", {"name": ""})

    assert response.status_code == 400
    assert announced_error(response, "id_name") == "This field is required."
    assert 'aria-invalid="true"' in page_text(response)


def test_a_duplicate_name_is_the_apis_conflict_shown_at_the_name(pages: PageClient, news: ContactList) -> None:
    response = pages.post("/contacts/lists/new/", {"name": "Newsletter"})

    assert response.status_code == 400
    assert "already exists" in announced_error(response, "id_name")


def test_editing_renames_and_keeps_the_description(pages: PageClient, news: ContactList, api: Client) -> None:
    form = page_text(pages.get(f"/contacts/lists/{news.list_id}/edit/"))
    assert 'value="Newsletter"' in form and "Monthly</textarea>" in form

    response = pages.post(f"/contacts/lists/{news.list_id}/edit/", {"name": "Monthly news", "description": "Monthly"})

    assert response.status_code == 302
    saved = api.contact_lists.get_list(str(news.list_id))
    assert saved["name"] == "Monthly news" and saved["description"] == "Monthly"


def test_renaming_onto_another_lists_name_shows_the_apis_error_at_the_name(
    pages: PageClient, news: ContactList, connected: Connected
) -> None:
    ContactList.objects.create(account=connected.account, name="VIP")

    response = pages.post(f"/contacts/lists/{news.list_id}/edit/", {"name": "VIP"})

    assert response.status_code == 400
    assert announced_error(response, "id_name") == "A list named “VIP” already exists."
    news.refresh_from_db()
    assert news.name == "Newsletter"


def test_deleting_asks_first_then_deletes_and_links_the_activity(
    pages: PageClient, news: ContactList, api: Client
) -> None:
    confirm = pages.get(f"/contacts/lists/{news.list_id}/delete/")

    assert confirm.status_code == 200
    assert "Delete the list Newsletter?" in page_text(confirm) and "2 members" in page_text(confirm)
    assert [item["name"] for item in api.contact_lists.iter_lists()] == ["Newsletter"]

    done = pages.post(f"/contacts/lists/{news.list_id}/delete/", follow=True)

    # The API hides the list at once and queues the activity that empties it.
    assert done.redirect_chain == [(LISTS, 302)]
    activity = Activity.objects.get(account=news.account, kind=ActivityKind.LIST_DELETE)
    follow = f"/jobs/activities/{activity.activity_id}/"
    assert "The list Newsletter is being deleted: it is taken off its contacts in the background" in page_text(done)
    assert f'<a href="{follow}">follow its progress</a>' in done.content.decode()
    assert row_names(page_text(done)) == [] and list(api.contact_lists.iter_lists()) == []

    process(activity.pk)  # what the worker does (nothing if the suite's worker already has)

    assert "Completed" in page_text(pages.get(follow))
    assert not ListMembership.objects.filter(contact_list=news).exists()
    assert Contact.objects.filter(account=news.account, deleted_at__isnull=True).count() == 2  # contacts stay


def test_the_favorite_toggle_works_without_javascript(pages: PageClient, news: ContactList, api: Client) -> None:
    response = pages.post(
        f"/contacts/lists/{news.list_id}/favorite/", {"favorite": "true", "next": "/contacts/lists/?page=x"}
    )

    assert response.status_code == 302 and response["Location"] == "/contacts/lists/?page=x"
    assert api.contact_lists.get_list(str(news.list_id))["favorite"] is True
    # Another site as ``next`` is ignored.
    away = pages.post(f"/contacts/lists/{news.list_id}/favorite/", {"favorite": "false", "next": "https://evil.test/"})
    assert away["Location"] == LISTS
    assert api.contact_lists.get_list(str(news.list_id))["favorite"] is False


def test_htmx_swaps_just_the_row(pages: PageClient, news: ContactList, api: Client) -> None:
    response = pages.post(
        f"/contacts/lists/{news.list_id}/favorite/",
        {"favorite": "true"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/contacts/lists/"},
    )

    fragment = page_text(response)
    assert response.status_code == 200 and fragment.strip().startswith(f'<tr id="list-{news.list_id}">')
    assert "<html" not in fragment and 'aria-pressed="true"' in fragment and "<td>2</td>" in fragment
    assert 'name="next" value="/contacts/lists/"' in fragment
    assert api.contact_lists.get_list(str(news.list_id))["favorite"] is True


def test_the_detail_page_shows_the_list_and_its_first_members(pages: PageClient, news: ContactList) -> None:
    page = page_text(pages.get(f"/contacts/lists/{news.list_id}/"))

    assert "<h1>Newsletter</h1>" in page and "Monthly" in page
    assert "reader0@example.com" in page and "reader1@example.com" in page


def test_another_workspace_cannot_reach_these_lists(connect: ConnectFactory, news: ContactList) -> None:
    stranger = connect().pages()

    assert row_names(page_text(stranger.get(LISTS))) == []
    for path in ("", "edit/", "delete/"):
        assert stranger.get(f"/contacts/lists/{news.list_id}/{path}").status_code == 404, path
    assert stranger.post(f"/contacts/lists/{news.list_id}/delete/").status_code == 404
    assert stranger.post(f"/contacts/lists/{news.list_id}/favorite/", {"favorite": "true"}).status_code == 404
    news.refresh_from_db()
    assert news.deleted_at is None and news.favorite is False


def test_viewers_see_lists_but_cannot_change_them(
    connect: ConnectFactory, connected: Connected, news: ContactList
) -> None:
    viewer = connect(role=Role.VIEWER, owner=connected.owner).pages()

    page = page_text(viewer.get(LISTS))
    assert row_names(page) == ["Newsletter"] and "/favorite/" not in page and "/edit/" not in page
    assert viewer.get("/contacts/lists/new/").status_code == 403
    assert viewer.post(f"/contacts/lists/{news.list_id}/delete/").status_code == 403
    assert viewer.post(f"/contacts/lists/{news.list_id}/favorite/", {"favorite": "true"}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(live_v3: Any) -> None:
    response = PageClient().get(LISTS)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
