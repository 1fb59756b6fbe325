"""Named actions of the jobs pages: imports and exports started as V3 bulk activities, and their progress.

Views parse the request, call one of these with the client of the right connection
(``apps.accounts.services.client_for``) and render what comes back. The activity lives in the
API; the dashboard keeps a :class:`~apps.jobs.models.Job` row per import or export it started, so
a workspace can list its jobs and find each activity again on its own connection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.models import Connection
from apps.contacts.choices import custom_fields, forget_choices
from apps.ctct import Client, CtctError, NotFound, Page, Unauthorized
from ctctdash.pages import StaleCursor

from . import staging
from .csv_files import (
    MAX_BYTES,
    STANDARD_TARGETS,
    CsvProblem,
    Target,
    build_import_csv,
    custom_targets,
    describe_size,
    read_csv,
)
from .models import ActivityStateMixin, Job

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "ACTIVITY_STATES",
    "ActivityPage",
    "ActivityStatus",
    "EXPORT_FIELDS",
    "ExportFileGone",
    "ExportNotReady",
    "api_problem",
    "column_labels",
    "export_download",
    "import_targets",
    "job_page",
    "read_activity",
    "recent_activities",
    "refresh_job",
    "renamed_header",
    "stage_import",
    "start_export",
    "start_import",
]

# The states GET /activities filters by (the spec's enum), as the filter offers them.
ACTIVITY_STATES = (
    ("processing", "Running"),
    ("completed", "Completed"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
    ("timed_out", "Timed out"),
)
# One page of the activities table; the API allows up to 500, a page of people reads 50.
ACTIVITIES_PAGE = 50
# One page of the jobs table: a workspace's jobs are fewer and wider rows than its activities.
JOBS_PAGE = 25
# What each status count means, in the order the job page lists them.
COUNT_LABELS = {
    "items_total_count": "Items",
    "items_completed_count": "Done",
    "person_count": "Contacts in the file",
    "error_count": "Rows with errors",
    "correctable_count": "Rows to correct",
    "cannot_add_to_list_count": "Not added to lists (unsubscribed)",
    "list_count": "Lists",
}
# An import counts the lines of its file (the header too) as its items.
IMPORT_ITEMS_LABEL = "Lines in the file"
# Read in pieces this size while streaming an export to the browser.
DOWNLOAD_CHUNK = 64 * 1024
# Columns an export can hold (the API's field names, its file's headers) and their names in words,
# in the order the form offers them; a custom field's column is ``cf:<name>``, named by its label.
EXPORT_FIELDS = (
    ("email_address", "Email address"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("job_title", "Job title"),
    ("company_name", "Company"),
    ("phone_number", "Phone"),
    ("street", "Street"),
    ("city", "City"),
    ("state", "State or province"),
    ("zip", "Postal code"),
    ("country", "Country"),
    ("birthday_month", "Birthday month"),
    ("birthday_day", "Birthday day"),
    ("anniversary", "Anniversary"),
    ("email_lists", "Lists"),
    ("tags", "Tags"),
    ("permission_to_send", "Email permission"),
    ("sms_number", "SMS number"),
    ("created_at", "Created"),
    ("updated_at", "Updated"),
    ("contact_id", "Contact id"),
)


def api_problem(error: CtctError) -> str:
    """A refused or failed API call as a sentence; a refused token is re-raised for the reconnect page."""
    if isinstance(error, Unauthorized):
        raise error
    return f"Constant Contact answered: {error.error_message}"


# --- Import targets -----------------------------------------------------------------------------


def import_targets(client: Client) -> list[Target]:
    """Every field a column may be imported into: the contact fields, then the account's custom fields."""
    return [*STANDARD_TARGETS, *custom_targets(custom_fields(client))]


# --- Imports ------------------------------------------------------------------------------------


def stage_import(connection: Connection, user: User, upload: UploadedFile) -> staging.StagedImport:
    """Check an uploaded CSV and keep it for the wizard's next steps; :class:`CsvProblem` says what is wrong."""
    name = (upload.name or "contacts.csv").rsplit("/", 1)[-1]
    if upload.size is not None and upload.size > MAX_BYTES:
        raise CsvProblem(
            f"{name} is {describe_size(upload.size)}; files can be at most {describe_size(MAX_BYTES)}. "
            "Split it into smaller files and import each."
        )
    # One byte past the limit is enough to know it is too big, whatever size the upload claimed.
    parsed = read_csv(upload.read(MAX_BYTES + 1), name)
    return staging.stage(
        workspace_id=connection.workspace_id,
        connection_id=connection.pk,
        user_id=user.pk,
        file_name=name,
        parsed=parsed,
    )


def _csv_name(file_name: str) -> str:
    """The name the activity reports as its source file; the API takes only .csv and .txt names."""
    stem, dot, extension = file_name.rpartition(".")
    return file_name if dot and extension.lower() in ("csv", "txt") else f"{stem or file_name}.csv"


def start_import(
    client: Client,
    connection: Connection,
    user: User,
    staged: staging.StagedImport,
    *,
    list_ids: Sequence[str],
    new_list_name: str = "",
    sms_permission_to_send: str = "",
) -> Job:
    """Send the remapped file to ``contacts_file_import``, record the job, and delete the upload.

    A new list, when named, is created first (the import needs every list to exist). If the API
    refuses the import the upload is kept, so the person can change their choice and try again.
    """
    payload = build_import_csv(staged.parsed(), staged.chosen)
    lists = list(list_ids)
    if new_list_name:
        created = client.contact_lists.create_list(body={"name": new_list_name})
        forget_choices(client)  # the pages offering lists show the new one at once
        lists.append(str(created["list_id"]))
    activity = client.bulk_activities.contacts_csv_import(
        file=(_csv_name(staged.file_name), payload, "text/csv"),
        list_ids=lists,
        sms_permission_to_send=sms_permission_to_send or None,
    )
    job = _record(connection, user, Job.Kind.IMPORT, activity, label=staged.file_name)
    staging.discard(staged)
    return job


def _record(connection: Connection, user: User, kind: str, activity: dict[str, Any], label: str) -> Job:
    """The Job row for an activity the API just created."""
    return Job.objects.create(
        workspace_id=connection.workspace_id,
        connection=connection,
        kind=kind,
        activity_id=str(activity["activity_id"]),
        label=label[:255],
        created_by=user,
        state=str(activity.get("state") or "initialized")[:20],
        percent_done=int(activity.get("percent_done") or 0),
        checked_at=timezone.now(),
    )


# --- Exports ------------------------------------------------------------------------------------


def start_export(
    client: Client,
    connection: Connection,
    user: User,
    *,
    list_ids: Sequence[str] = (),
    tag_ids: Sequence[str] = (),
    segment_id: int | None = None,
    status: str = "",
    fields: Sequence[str],
    label: str,
    headers: str = Job.Headers.WORDS,
) -> Job:
    """Start a ``contact_exports`` activity with these filters and columns, and record the job.

    The spec's sources: lists (with a status), tags, or one segment, each exclusive of the others.
    """
    body: dict[str, Any] = {"fields": list(fields)}
    if list_ids:
        body["list_ids"] = list(list_ids)
    if tag_ids:
        body["tag_ids"] = list(tag_ids)
    if segment_id is not None:
        body["segment_id"] = segment_id
    if status:
        body["status"] = status
    activity = client.bulk_activities.post_contacts_export(body=body)
    job = _record(connection, user, Job.Kind.EXPORT, activity, label=label)
    if headers != job.headers:
        job.headers = headers
        job.save(update_fields=["headers"])
    return job


class ExportNotReady(Exception):
    """The export has no file (yet): it is still running, or it failed."""


class ExportFileGone(Exception):
    """The export completed, but its file is no longer kept (the API deletes export files after a while)."""


def export_download(client: Client, job: Job) -> Iterator[bytes]:
    """The export's CSV, streamed from the activity's ``results`` link in pieces.

    The link is followed only on the API's own base URL (``Client.follow`` refuses others), so the
    token never goes elsewhere. The upstream response and the client are closed when the stream ends
    or the browser goes away.
    """
    activity = client.bulk_activities.get_activity(job.activity_id)
    href = ((activity.get("_links") or {}).get("results") or {}).get("href")
    if activity.get("state") != "completed":
        raise ExportNotReady(job.activity_id)
    if not href:  # a completed export links its file until the file is deleted
        raise ExportFileGone(job.activity_id)
    try:
        response = client.follow(href, stream=True)
    except NotFound:  # deleted since the activity was read
        raise ExportFileGone(job.activity_id) from None

    labels = column_labels(client) if job.headers == Job.Headers.WORDS else {}

    def chunks() -> Iterator[bytes]:
        try:
            pieces = response.iter_content(DOWNLOAD_CHUNK)
            yield from renamed_header(pieces, labels) if labels else pieces
        finally:
            response.close()
            client.close()

    return chunks()


def column_labels(client: Client) -> dict[str, str]:
    """Each export column's name in words, by the API's name: the contact fields and the account's custom fields."""
    custom = {f"cf:{item['name']}": str(item.get("label") or item["name"]) for item in custom_fields(client)}
    return dict(EXPORT_FIELDS) | custom


def renamed_header(chunks: Iterable[bytes], labels: Mapping[str, str]) -> Iterator[bytes]:
    """The CSV ``chunks`` with the header line's names replaced by ``labels`` (others kept), the rest as is."""
    pieces = iter(chunks)
    start = b""
    for chunk in pieces:
        start += chunk
        if b"\n" in start:
            break
    head, newline, rest = start.partition(b"\n")
    ending = b"\r" if head.endswith(b"\r") else b""
    names = next(csv.reader([head[: len(head) - len(ending)].decode()]), [])
    line = io.StringIO()
    csv.writer(line, lineterminator="").writerow([labels.get(name, name) for name in names])
    yield line.getvalue().encode() + ending + newline + rest
    yield from pieces


def export_file_name(job: Job) -> str:
    """The name the browser saves an export's file under."""
    return f"contacts-export-{job.created_at:%Y-%m-%d}-{job.pk}.csv"


# --- Progress -----------------------------------------------------------------------------------


def _count_label(key: str, status: dict[str, Any]) -> str:
    """What a status count means; only imports report ``person_count``."""
    if key == "items_total_count" and "person_count" in status:
        return IMPORT_ITEMS_LABEL
    return COUNT_LABELS[key]


def _when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


@dataclass
class ActivityStatus(ActivityStateMixin):
    """An activity as the API reports it, ready for a page."""

    activity_id: str
    state: str
    percent_done: int
    errors: list[str] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)
    created_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    source_file_name: str = ""
    has_results: bool = False

    @property
    def file_gone(self) -> bool:
        """Completed without a results link: for an export, its file has been deleted."""
        return self.state == "completed" and not self.has_results

    @property
    def description(self) -> str:
        """What the activity did, in words, as far as the API says: an import names its file, an export links one."""
        if self.source_file_name:
            return f"Import: {self.source_file_name}"
        if self.has_results:
            return "Export"
        # The API names no kind for the rest: deletes, list and tag changes made anywhere.
        return "Change to contacts, lists or tags"

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> ActivityStatus:
        """Built from a getActivity body, or one item of getActivityStatusCollection."""
        status = data.get("status") or {}
        errors = data.get("activity_errors") or []
        return cls(
            activity_id=str(data.get("activity_id", "")),
            state=str(data.get("state") or "initialized"),
            percent_done=max(0, min(100, int(data.get("percent_done") or 0))),
            # An error is text in the import and export schemas, an object in the generic one.
            errors=[e if isinstance(e, str) else str(e.get("message") or e) for e in errors],
            counts=[
                (_count_label(key, status), int(status[key])) for key in COUNT_LABELS if status.get(key) is not None
            ],
            created_at=_when(data.get("created_at")),
            started_at=_when(data.get("started_at")),
            completed_at=_when(data.get("completed_at")),
            source_file_name=str(data.get("source_file_name") or ""),
            has_results=bool(((data.get("_links") or {}).get("results") or {}).get("href")),
        )


def read_activity(client: Client, activity_id: str) -> ActivityStatus:
    """One activity of the client's account (``NotFound`` for any other)."""
    return ActivityStatus.from_api(client.bulk_activities.get_activity(activity_id))


def _remember(job: Job, status: ActivityStatus) -> None:
    """Store the activity's state and percent on its job when they moved."""
    if (job.state, job.percent_done) == (status.state[:20], status.percent_done):
        return
    job.state, job.percent_done, job.checked_at = status.state[:20], status.percent_done, timezone.now()
    Job.objects.filter(pk=job.pk).update(state=job.state, percent_done=job.percent_done, checked_at=job.checked_at)


def refresh_job(client: Client, job: Job) -> ActivityStatus | None:
    """The job's activity now, its state remembered on the job; None when the API no longer has it."""
    try:
        status = read_activity(client, job.activity_id)
    except NotFound:
        return None
    _remember(job, status)
    return status


@dataclass
class ActivityPage:
    """A page of the account's recent activities, the workspace's jobs among them, and the next page's cursor."""

    activities: list[ActivityStatus]
    jobs: dict[str, Job]
    next_cursor: str | None

    @property
    def items(self) -> list[tuple[ActivityStatus, Job | None]]:
        """Each activity with the workspace's job for it, if it is one."""
        return [(activity, self.jobs.get(activity.activity_id)) for activity in self.activities]


def recent_activities(
    client: Client, connection: Connection, state: str = "", cursor: str | None = None
) -> ActivityPage:
    """The account's recent activities (newest first), ``state`` filtering, ``cursor`` naming a later page.

    Jobs of this connection that appear are brought up to date from the same page, so the jobs
    table shows fresh states without a call per job.
    """
    page = client.page("getActivityStatusCollection", cursor, limit=ACTIVITIES_PAGE, state=state or None)
    activities = [ActivityStatus.from_api(item) for item in page.items]
    jobs = {
        job.activity_id: job
        for job in Job.objects.filter(connection=connection, activity_id__in=[a.activity_id for a in activities])
    }
    for activity in activities:
        if activity.activity_id in jobs:
            _remember(jobs[activity.activity_id], activity)
    return ActivityPage(activities, jobs, page.next_cursor)


def job_page(connection: Connection, cursor: str | None = None) -> Page:
    """A page of the workspace's jobs, newest first; ``cursor`` (the last job of the page before) continues after it.

    A cursor naming no job of the workspace (deleted since, or edited by hand) is ``StaleCursor``.
    """
    jobs = Job.objects.filter(workspace_id=connection.workspace_id).select_related("connection", "created_by")
    if cursor:
        # At most 18 digits: any job id fits, and a longer one would overflow the database's integer.
        pk = int(cursor) if cursor.isdigit() and len(cursor) <= 18 else None
        after = jobs.filter(pk=pk).values("created_at", "pk").first() if pk is not None else None
        if after is None:
            raise StaleCursor(cursor)
        # After it in the table's order (newest first, then highest id): keyset paging, so a job
        # started meanwhile does not shift the rows of later pages.
        jobs = jobs.filter(
            Q(created_at__lt=after["created_at"]) | Q(created_at=after["created_at"], pk__lt=after["pk"])
        )
    rows = list(jobs[: JOBS_PAGE + 1])
    more = len(rows) > JOBS_PAGE
    return Page(items=rows[:JOBS_PAGE], next_cursor=str(rows[JOBS_PAGE - 1].pk) if more else None)
