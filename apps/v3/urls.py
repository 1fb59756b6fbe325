"""Routes of the V3 service under ``/v3/``, grouped by spec tag."""

from __future__ import annotations

from django.urls import path

from .endpoints import account_services, contact_custom_fields, contact_lists, contact_tags, contacts, meta, segments

urlpatterns = [
    path("swagger.json", meta.swagger_json, name="swagger-json"),
    # Account Services
    path("account/user/privileges", account_services.UserPrivilegesView.as_view()),
    path("account/summary", account_services.AccountSummaryView.as_view()),
    path("account/summary/physical_address", account_services.PhysicalAddressView.as_view()),
    path("account/emails", account_services.AccountEmailsView.as_view()),
    # Contacts
    path("contacts", contacts.ContactsView.as_view()),
    path("contacts/sign_up_form", contacts.SignUpFormView.as_view()),
    path("contacts/counts", contacts.ContactCountsView.as_view()),
    path("contacts/contact_id_xrefs", contacts.ContactXrefsView.as_view()),
    path("contacts/resubscribe/<str:contact_id>", contacts.ResubscribeView.as_view()),
    path("contacts/sms_engagement_history/<str:contact_id>", contacts.SmsEngagementHistoryView.as_view()),
    path("contacts/<str:contact_id>", contacts.ContactView.as_view()),
    # Contacts Custom Fields
    path("contact_custom_fields", contact_custom_fields.CustomFieldsView.as_view()),
    path("contact_custom_fields/<str:custom_field_id>", contact_custom_fields.CustomFieldView.as_view()),
    # Contact Lists
    path("contact_lists", contact_lists.ContactListsView.as_view()),
    path("contact_lists/list_id_xrefs", contact_lists.ListIdXrefsView.as_view()),
    path("contact_lists/<str:list_id>", contact_lists.ContactListView.as_view()),
    # Contact Tags
    path("contact_tags", contact_tags.ContactTagsView.as_view()),
    path("contact_tags/<str:tag_id>", contact_tags.ContactTagView.as_view()),
    # Segments
    path("segments", segments.SegmentsView.as_view()),
    path("segments/<str:segment_id>", segments.SegmentView.as_view()),
    path("segments/<str:segment_id>/name", segments.SegmentNameView.as_view()),
]
