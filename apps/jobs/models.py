"""A workspace's record of the bulk activities it started: which account, who, and the last state seen.

The activity itself lives in Constant Contact (or the built-in service) and is read through the
client; this row is only what the dashboard needs to list a workspace's jobs and find the activity
again on the right connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from apps.accounts.models import Connection, Workspace
from ctctdash.pages.activity_states import FINISHED_STATES, state_label

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class ActivityStateMixin:
    """What pages ask of anything holding an activity ``state``: is it over, and what is it called."""

    state: str

    @property
    def finished(self) -> bool:
        """The activity will not change any more (completed, failed, cancelled or timed out)."""
        return self.state in FINISHED_STATES

    @property
    def state_label(self) -> str:
        """The state in words."""
        return state_label(self.state)


class JobQuerySet(models.QuerySet["Job"]):
    """Jobs, narrowed to what one user may see."""

    def for_user(self, user: User | AnonymousUser) -> JobQuerySet:
        """Jobs of the workspaces ``user`` is a member of (none for an anonymous user)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(workspace__memberships__user=user)


class Job(ActivityStateMixin, models.Model):
    """One import or export a dashboard user started: a V3 activity on one of the workspace's connections."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Import"
        EXPORT = "export", "Export"

    class Headers(models.TextChoices):
        """How an export's file names its columns when downloaded (the API writes its field names)."""

        WORDS = "words", "In words (First name, Email address)"
        API = "api", "As the API names them (first_name, email_address)"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="jobs")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    activity_id = models.CharField(max_length=64)
    # What the job was about, for the lists: the imported file's name, or the export's filters.
    label = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The last state and progress read from the API, so lists need no call per row.
    state = models.CharField(max_length=20, default="initialized")
    percent_done = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    # An export's column headers in its downloaded file; imports ignore it.
    headers = models.CharField(max_length=8, choices=Headers.choices, default=Headers.WORDS)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["connection", "activity_id"], name="jobs_job_unique_activity")]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="jobs_job_workspace_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.activity_id}"
