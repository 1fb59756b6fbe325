"""Routes of the contacts pages (namespace ``contacts``), one section per thing managed."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import contacts, custom_fields, lists, segments, tags

app_name = "contacts"

urlpatterns: list[URLPattern] = [
    # Contacts
    path("", contacts.contact_list, name="list"),
    path("new/", contacts.contact_create, name="create"),
    path("<uuid:contact_id>/", contacts.contact_detail, name="detail"),
    path("<uuid:contact_id>/edit/", contacts.contact_edit, name="edit"),
    path("<uuid:contact_id>/delete/", contacts.contact_delete, name="delete"),
    path("<uuid:contact_id>/resubscribe/", contacts.contact_resubscribe, name="resubscribe"),
    path("<uuid:contact_id>/notes/", contacts.note_add, name="note_add"),
    path("<uuid:contact_id>/notes/<uuid:note_id>/delete/", contacts.note_delete, name="note_delete"),
    # Lists
    path("lists/", lists.list_list, name="lists"),
    path("lists/new/", lists.list_create, name="list_create"),
    path("lists/<uuid:list_id>/", lists.list_detail, name="list_detail"),
    path("lists/<uuid:list_id>/edit/", lists.list_edit, name="list_edit"),
    path("lists/<uuid:list_id>/delete/", lists.list_delete, name="list_delete"),
    path("lists/<uuid:list_id>/favorite/", lists.list_favorite, name="list_favorite"),
    # Tags
    path("tags/", tags.tag_list, name="tags"),
    path("tags/new/", tags.tag_create, name="tag_create"),
    path("tags/<uuid:tag_id>/", tags.tag_detail, name="tag_detail"),
    path("tags/<uuid:tag_id>/edit/", tags.tag_edit, name="tag_edit"),
    path("tags/<uuid:tag_id>/delete/", tags.tag_delete, name="tag_delete"),
    # Custom fields
    path("custom-fields/", custom_fields.custom_field_list, name="custom_fields"),
    path("custom-fields/new/", custom_fields.custom_field_create, name="custom_field_create"),
    path("custom-fields/<uuid:custom_field_id>/", custom_fields.custom_field_detail, name="custom_field_detail"),
    path("custom-fields/<uuid:custom_field_id>/edit/", custom_fields.custom_field_edit, name="custom_field_edit"),
    path("custom-fields/<uuid:custom_field_id>/delete/", custom_fields.custom_field_delete, name="custom_field_delete"),
    # Segments
    path("segments/", segments.segment_list, name="segments"),
    path("segments/new/", segments.segment_create, name="segment_create"),
    path("segments/preview/", segments.segment_preview, name="segment_preview"),
    path("segments/<int:segment_id>/", segments.segment_detail, name="segment_detail"),
    path("segments/<int:segment_id>/edit/", segments.segment_edit, name="segment_edit"),
    path("segments/<int:segment_id>/delete/", segments.segment_delete, name="segment_delete"),
]
