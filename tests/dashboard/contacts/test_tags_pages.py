"""The contact tag pages against the live V3 service over real HTTP: table, paging, create, rename, delete."""

from __future__ import annotations

import pytest
from django.test import Client as PageClient

from apps.accounts.models import Role
from apps.ctct import Client
from apps.v3.bulk.handlers import process
from apps.v3.bulk.models import Activity, ActivityKind
from apps.v3.contacts.models import Contact, Tag, Tagging
from tests.dashboard.conftest import Connected, ConnectFactory, announced_error, link_texts, page_text, pager_link

TAGS = "/contacts/tags/"


@pytest.fixture
def summer(connected: Connected) -> Tag:
    """A tag on three contacts."""
    tag = Tag.objects.create(account=connected.account, name="Summer fair")
    for n in range(3):
        contact = Contact.objects.create(account=connected.account, email_address=f"visitor{n}@example.com")
        Tagging.objects.create(contact=contact, tag=tag)
    return tag


def row_names(page: str) -> list[str]:
    """The tag names in the table, in order."""
    return link_texts(page, TAGS)


def test_an_account_without_tags_offers_to_create_one(pages: PageClient) -> None:
    page = page_text(pages.get(TAGS))

    assert "There are no tags yet" in page and 'href="/contacts/tags/new/">Create your first tag</a>' in page


def test_the_table_shows_each_tag_with_its_contacts_count(pages: PageClient, summer: Tag) -> None:
    page = page_text(pages.get(TAGS))

    assert row_names(page) == ["Summer fair"]
    assert "<td>3</td>" in page


def test_paging_follows_the_apis_cursor(pages: PageClient, connected: Connected) -> None:
    Tag.objects.bulk_create(Tag(account=connected.account, name=f"Tag {n:02d}") for n in range(51))

    first = pages.get(TAGS)
    next_href = pager_link(first, "next")
    assert len(row_names(page_text(first))) == 50 and next_href is not None

    assert row_names(page_text(pages.get(next_href))) == ["Tag 50"]


def test_creating_a_tag(pages: PageClient, api: Client) -> None:
    response = pages.post("/contacts/tags/new/", {"name": "Wholesale"}, follow=True)

    (created,) = api.contact_tags.iter_tags()
    assert created["name"] == "Wholesale"
    assert response.redirect_chain == [(f"/contacts/tags/{created['tag_id']}/", 302)]
    assert "The tag Wholesale was created." in page_text(response)


def test_a_duplicate_name_is_shown_at_the_name(pages: PageClient, summer: Tag) -> None:
    response = pages.post("/contacts/tags/new/", {"name": "Summer fair"})

    assert response.status_code == 400
    assert announced_error(response, "id_name") == "A tag named “Summer fair” already exists."


def test_renaming_a_tag(pages: PageClient, summer: Tag, api: Client) -> None:
    assert 'value="Summer fair"' in page_text(pages.get(f"/contacts/tags/{summer.tag_id}/edit/"))

    response = pages.post(f"/contacts/tags/{summer.tag_id}/edit/", {"name": "Autumn fair"}, follow=True)

    assert api.contact_tags.get_tag(str(summer.tag_id))["name"] == "Autumn fair"
    assert "The tag is now called Autumn fair." in page_text(response)


def test_renaming_onto_another_tag_or_to_nothing_is_refused_at_the_name(
    pages: PageClient, summer: Tag, connected: Connected
) -> None:
    Tag.objects.create(account=connected.account, name="Wholesale")

    taken = pages.post(f"/contacts/tags/{summer.tag_id}/edit/", {"name": "Wholesale"})
    blank = pages.post(f"/contacts/tags/{summer.tag_id}/edit/", {"name": "  "})

    assert taken.status_code == blank.status_code == 400
    assert announced_error(taken, "id_name") == "A tag named “Wholesale” already exists."
    assert announced_error(blank, "id_name") == "This field is required."
    summer.refresh_from_db()
    assert summer.name == "Summer fair"


def test_deleting_asks_first_then_deletes_and_links_the_activity(pages: PageClient, summer: Tag, api: Client) -> None:
    confirm = page_text(pages.get(f"/contacts/tags/{summer.tag_id}/delete/"))
    assert "Delete the tag Summer fair?" in confirm and "It comes off 3 contacts" in confirm
    assert len(list(api.contact_tags.iter_tags())) == 1

    done = pages.post(f"/contacts/tags/{summer.tag_id}/delete/", follow=True)

    # The API hides the tag at once and queues the activity that untags and removes it.
    assert done.redirect_chain == [(TAGS, 302)]
    activity = Activity.objects.get(account=summer.account, kind=ActivityKind.TAG_DELETE)
    follow = f"/jobs/activities/{activity.activity_id}/"
    assert "The tag Summer fair is being deleted: it is taken off its contacts in the background" in page_text(done)
    assert f'<a href="{follow}">follow its progress</a>' in done.content.decode()
    assert row_names(page_text(done)) == [] and list(api.contact_tags.iter_tags()) == []

    process(activity.pk)  # what the worker does (nothing if the suite's worker already has)

    assert "Completed" in page_text(pages.get(follow))
    assert not Tag.objects.filter(pk=summer.pk).exists() and not Tagging.objects.exists()
    assert Contact.objects.filter(account=summer.account, deleted_at__isnull=True).count() == 3


def test_another_workspace_cannot_reach_these_tags(connect: ConnectFactory, summer: Tag) -> None:
    stranger = connect().pages()

    assert row_names(page_text(stranger.get(TAGS))) == []
    for path in ("", "edit/", "delete/"):
        assert stranger.get(f"/contacts/tags/{summer.tag_id}/{path}").status_code == 404, path
    assert stranger.post(f"/contacts/tags/{summer.tag_id}/edit/", {"name": "Mine now"}).status_code == 404
    assert Tag.objects.get(pk=summer.pk).name == "Summer fair"


def test_viewers_see_tags_but_cannot_change_them(connect: ConnectFactory, connected: Connected, summer: Tag) -> None:
    viewer = connect(role=Role.VIEWER, owner=connected.owner).pages()

    assert row_names(page_text(viewer.get(TAGS))) == ["Summer fair"]
    assert viewer.get("/contacts/tags/new/").status_code == 403
    assert viewer.post(f"/contacts/tags/{summer.tag_id}/delete/").status_code == 403
    assert Tag.objects.filter(pk=summer.pk).exists()
