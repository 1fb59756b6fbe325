"""Routes of the V3 service under ``/v3/``, grouped by spec tag."""

from __future__ import annotations

from django.urls import path

from apps.v3.account import endpoints as account_services
from apps.v3.bulk import endpoints as bulk_activities
from apps.v3.campaigns.endpoints import ab_tests as email_ab_tests
from apps.v3.campaigns.endpoints import email_campaigns, email_scheduling
from apps.v3.contacts.endpoints import contacts, segments
from apps.v3.contacts.endpoints import custom_fields as contact_custom_fields
from apps.v3.contacts.endpoints import lists as contact_lists
from apps.v3.contacts.endpoints import tags as contact_tags
from apps.v3.events.endpoints import events
from apps.v3.http import meta
from apps.v3.partners.endpoints import technology_partners
from apps.v3.partners.endpoints import webhooks as partner_webhooks
from apps.v3.reporting.endpoints import contacts_reporting as contacts_reports
from apps.v3.reporting.endpoints import email_reporting, sms_reporting
from apps.v3.reporting.endpoints import landing_pages_reporting as landing_pages_reports

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
    # Bulk Activities
    path("activities", bulk_activities.ActivitiesView.as_view()),
    path("activities/contacts_file_import", bulk_activities.FileImportView.as_view()),
    path("activities/contacts_json_import", bulk_activities.JsonImportView.as_view()),
    path("activities/contact_exports", bulk_activities.ContactExportView.as_view()),
    path("activities/contact_delete", bulk_activities.ContactDeleteView.as_view()),
    path("activities/add_list_memberships", bulk_activities.AddListMembershipsView.as_view()),
    path("activities/remove_list_memberships", bulk_activities.RemoveListMembershipsView.as_view()),
    path("activities/list_delete", bulk_activities.ListDeleteView.as_view()),
    path("activities/contacts_taggings_add", bulk_activities.TaggingsAddView.as_view()),
    path("activities/contacts_taggings_remove", bulk_activities.TaggingsRemoveView.as_view()),
    path("activities/contacts_tags_delete", bulk_activities.TagsDeleteView.as_view()),
    path("activities/custom_fields_delete", bulk_activities.CustomFieldsDeleteView.as_view()),
    path("activities/<str:activity_id>", bulk_activities.ActivityView.as_view()),
    path("contact_exports/<str:file_export_id>", bulk_activities.ContactExportFileView.as_view()),
    # Email Campaigns
    path("emails", email_campaigns.EmailCampaignsView.as_view()),
    path("emails/campaign_id_xrefs", email_campaigns.CampaignXrefsView.as_view()),
    path("emails/<str:campaign_id>", email_campaigns.EmailCampaignView.as_view()),
    path("emails/activities/<str:campaign_activity_id>", email_campaigns.EmailCampaignActivityView.as_view()),
    path(
        "emails/activities/<str:campaign_activity_id>/non_opener_resends",
        email_campaigns.NonOpenerResendsView.as_view(),
    ),
    path(
        "emails/activities/<str:campaign_activity_id>/non_opener_resends/<str:resend_request_id>",
        email_campaigns.NonOpenerResendView.as_view(),
    ),
    # Email Campaigns AB Tests
    path("emails/activities/<str:campaign_activity_id>/abtest", email_ab_tests.ABTestView.as_view()),
    # Email Scheduling
    path("emails/activities/<str:campaign_activity_id>/schedules", email_scheduling.SchedulesView.as_view()),
    path("emails/activities/<str:campaign_activity_id>/send_history", email_scheduling.SendHistoryView.as_view()),
    path("emails/activities/<str:campaign_activity_id>/tests", email_scheduling.TestSendView.as_view()),
    path("emails/activities/<str:campaign_activity_id>/previews", email_scheduling.PreviewView.as_view()),
    # Events
    path("events", events.EventsView.as_view()),
    path("events/default", events.DefaultEventView.as_view()),
    path("events/<str:event_id>", events.SingleEventView.as_view()),
    path("events/<str:event_id>/copy", events.EventCopyView.as_view()),
    path("events/<str:event_id>/check_in/tickets", events.CheckInView.as_view()),
    path("events/<str:event_id>/undo_check_in/tickets", events.UndoCheckInView.as_view()),
    path("events/<str:event_id>/tracks/<str:track_id>/registrations", events.RegistrationsView.as_view()),
    # Before {registration_id}, which would otherwise take "payment_status" as an id.
    path(
        "events/<str:event_id>/tracks/<str:track_id>/registrations/payment_status",
        events.PaymentStatusView.as_view(),
    ),
    path(
        "events/<str:event_id>/tracks/<str:track_id>/registrations/<str:registration_id>",
        events.RegistrationView.as_view(),
    ),
    # Technology Partners
    path("partner/accounts", technology_partners.PartnerAccountsView.as_view()),
    path("partner/accounts/<str:encoded_account_id>/plan", technology_partners.PlanView.as_view()),
    path("partner/accounts/<str:encoded_account_id>/status/cancel", technology_partners.CancelView.as_view()),
    path(
        "partner/accounts/<str:encoded_account_id>/account_operations/sync",
        technology_partners.SyncView.as_view(),
    ),
    path("partner/accounts/<str:encoded_account_id>/users/sso", technology_partners.SSOUsersView.as_view()),
    path(
        "partner/accounts/<str:encoded_account_id>/contacts/unsubscribe",
        technology_partners.UnsubscribeView.as_view(),
    ),
    # Technology Partners Webhooks
    path("partner/webhooks/subscriptions", partner_webhooks.SubscriptionsView.as_view()),
    path("partner/webhooks/subscriptions/<str:topic_id>", partner_webhooks.SubscriptionView.as_view()),
    path("partner/webhooks/subscriptions/<str:topic_id>/tests", partner_webhooks.TestSendView.as_view()),
    # Email Reporting
    *(
        path(f"reports/email_reports/<str:campaign_activity_id>/{report}", view.as_view())
        for report, view in email_reporting.ACTIVITY_ROUTES.items()
    ),
    path("reports/summary_reports/email_campaign_summaries", email_reporting.CampaignSummariesView.as_view()),
    path("reports/stats/email_campaigns/<str:campaign_ids>", email_reporting.CampaignStatsView.as_view()),
    path(
        "reports/stats/email_campaign_activities/<str:campaign_activity_ids>",
        email_reporting.ActivityStatsView.as_view(),
    ),
    # SMS Reporting
    path("reports/summary_reports/sms_campaign_summaries", sms_reporting.SmsCampaignSummariesView.as_view()),
    # Contacts Reporting
    path(
        "reports/contact_reports/<str:contact_id>/activity_details",
        contacts_reports.ContactActivityDetailsView.as_view(),
    ),
    path(
        "reports/contact_reports/<str:contact_id>/open_and_click_rates",
        contacts_reports.ContactOpenClickRatesView.as_view(),
    ),
    path(
        "reports/contact_reports/<str:contact_id>/activity_summary",
        contacts_reports.ContactActivitySummaryView.as_view(),
    ),
    # Landing Pages Reporting
    *(
        path(f"reports/landing_pages/campaign_details/<str:campaign_activity_id>/{report}", view.as_view())
        for report, view in landing_pages_reports.ROUTES.items()
    ),
]
