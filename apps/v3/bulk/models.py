"""Bulk activities: one row per asynchronous job, holding its request, progress, errors and lease."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from apps.v3.account.models import Account


class ActivityKind(models.TextChoices):
    """What a bulk activity does; one per ``POST /activities/...`` operation."""

    FILE_IMPORT = "file_import"
    JSON_IMPORT = "json_import"
    CONTACT_EXPORT = "contact_export"
    CONTACT_DELETE = "contact_delete"
    ADD_LIST_MEMBERSHIPS = "add_list_memberships"
    REMOVE_LIST_MEMBERSHIPS = "remove_list_memberships"
    LIST_DELETE = "list_delete"
    ADD_TAGGINGS = "add_taggings"
    REMOVE_TAGGINGS = "remove_taggings"
    TAG_DELETE = "tag_delete"
    CUSTOM_FIELD_DELETE = "custom_field_delete"


class ActivityState(models.TextChoices):
    """The states the spec names for an activity."""

    INITIALIZED = "initialized"
    PROCESSING = "processing"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"
    TIMED_OUT = "timed_out"


# Queued means "not finished": a worker may still pick it up or is working on it.
UNFINISHED_STATES = (ActivityState.INITIALIZED, ActivityState.PROCESSING)
# Rows naming a stored file: an upload not yet deleted, or an export file. The retention sweep
# clears both columns once the files are gone, so few rows match: the retention period's exports
# and failed imports, and the imports queued or running, however many activities the table holds.
HOLDS_FILES = ~Q(source_file="") | ~Q(result_file="")


class Activity(models.Model):
    """A bulk activity of an account: what was asked, how far it got, and who is working on it.

    ``checkpoint`` counts the work already committed (rows of an import, or the last contact row id
    of a keyset walk) and is written in the same transaction as each batch's effects, so a resumed
    run starts exactly where the last committed batch ended. ``lease_owner`` and ``heartbeat_at``
    say which worker process holds the activity and when it last showed signs of life.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activities")
    activity_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=32, choices=ActivityKind.choices)
    state = models.CharField(max_length=16, choices=ActivityState.choices, default=ActivityState.INITIALIZED)
    # The checked request (ids resolved to row ids); uploaded data lives in storage, not here.
    params = models.JSONField(default=dict, blank=True)
    source_file_name = models.CharField(max_length=255, blank=True)
    source_file = models.CharField(max_length=255, blank=True)
    result_file = models.CharField(max_length=255, blank=True)
    percent_done = models.PositiveSmallIntegerField(default=0)
    activity_errors = models.JSONField(default=list, blank=True)
    # The status counts the spec reports; which ones apply depends on the kind (None = not reported).
    items_total_count = models.PositiveIntegerField(null=True, blank=True)
    items_completed_count = models.PositiveIntegerField(null=True, blank=True)
    person_count = models.PositiveIntegerField(null=True, blank=True)
    error_count = models.PositiveIntegerField(null=True, blank=True)
    correctable_count = models.PositiveIntegerField(null=True, blank=True)
    cannot_add_to_list_count = models.PositiveIntegerField(null=True, blank=True)
    list_count = models.PositiveIntegerField(null=True, blank=True)
    checkpoint = models.BigIntegerField(default=0)
    lease_owner = models.CharField(max_length=128, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [
            # GET /activities (newest first, optionally by state) and the 1,000-queued check.
            models.Index(fields=["account", "state", "id"], name="v3_activity_acct_state"),
            models.Index(fields=["account", "id"], name="v3_activity_acct_id"),
            # The sweep that finds unfinished activities whose worker went quiet.
            models.Index(fields=["state", "heartbeat_at"], name="v3_activity_state_hb"),
            # The retention sweep (``activities/retention.py``), which walks the rows holding files by id.
            models.Index(fields=["id"], condition=HOLDS_FILES, name="v3_activity_holds_files"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.activity_id} ({self.state})"
