"""Jobs pages: the import wizard, exports, each job's live progress, and the account's recent activities.

Views parse, call a named action in :mod:`.services`, and render. Jobs are looked up through the
user's workspace memberships (another workspace's job answers 404), imports and exports start on
the active connection, and each job is read through its own connection's client. Every page works
without JavaScript: htmx only swaps the progress fragment and the mapping preview in place.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseStopPolling

from apps.accounts.models import Connection
from apps.accounts.services import NoActiveConnection, active_connection, can_write, client_for, require_writer
from apps.contacts import choices
from apps.ctct import CtctError, NotFound
from ctctdash.htmx import wants_fragment
from ctctdash.pages import Listing, listing_page

from . import services, staging
from .csv_files import MAX_BYTES, CsvProblem, auto_match, describe_size, preview
from .forms import ActivityFilterForm, ExportForm, ImportMappingForm, ImportStartForm, ImportUploadForm
from .models import Job

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Multipart framing around the file: a body longer than the limit by more than this is refused unread.
UPLOAD_OVERHEAD = 64 * 1024
# The jobs table's pager keeps its links apart from the activities' on the same page.
JOBS_PAGER = "jobs_"


# --- Helpers -----------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view is behind ``login_required``)."""
    return cast("User", request.user)


def _connection(request: HttpRequest) -> Connection:
    """The active connection; none yet sends the user to connect one (the accounts middleware)."""
    connection = active_connection(request)
    if connection is None:
        raise NoActiveConnection
    return connection


def _job(request: HttpRequest, pk: int) -> Job:
    """A job of one of the user's workspaces; 404 otherwise."""
    return get_object_or_404(Job.objects.for_user(request.user).select_related("connection", "created_by"), pk=pk)


def _staged(request: HttpRequest, connection: Connection, token: str) -> staging.StagedImport | None:
    """The user's upload for this wizard, or None after telling them to upload again."""
    staged = staging.load(connection.workspace_id, _user(request).pk, token)
    if staged is None:
        messages.info(request, "That upload is no longer here. Upload the file again to import it.")
        return None
    if staged.connection_id != connection.pk:
        # Custom fields and lists belong to one account; a file mapped for another must start over.
        staging.discard(staged)
        messages.info(request, "You switched to another account, so upload the file again for this one.")
        return None
    return staged


WizardView = Callable[[HttpRequest, Connection, staging.StagedImport], HttpResponse]


def wizard_step(view: WizardView) -> Callable[[HttpRequest, str], HttpResponse]:
    """A step after the upload: for a writer, with their upload ``token`` found, or back to step 1."""

    @login_required
    @wraps(view)
    def step(request: HttpRequest, token: str) -> HttpResponse:
        connection = require_writer(request)
        staged = _staged(request, connection, token)
        if staged is None:
            return redirect("jobs:import")
        return view(request, connection, staged)

    return step


# --- Jobs and activities -----------------------------------------------------------------------


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The workspace's jobs, and the active account's recent activities with a state filter."""
    connection = _connection(request)
    filters = ActivityFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    keep = {"state": state} if state else {}
    problem = ""
    activities: Listing[services.ActivityPage] | None = None
    with client_for(request) as client:
        try:
            activities = listing_page(
                request, lambda cursor: services.recent_activities(client, connection, state, cursor), keep
            )
        except CtctError as error:
            problem = services.api_problem(error)
    # Read after the activities: they may have brought job states up to date.
    jobs = listing_page(request, lambda cursor: services.job_page(connection, cursor), keep, prefix=JOBS_PAGER)
    return render(
        request,
        "jobs/job_list.html",
        {
            "connection": connection,
            "jobs": jobs,
            "filters": filters,
            "state": state,
            "activities": activities,
            "problem": problem,
            "can_write": can_write(request, connection),
        },
    )


def _progress(
    request: HttpRequest, job: Job | None, status: services.ActivityStatus | None, problem: str, polling: bool
) -> HttpResponse:
    """The job page, or for htmx its progress fragment: 286 once there is nothing more to wait for.

    Without a fresh status (the API failed to answer, or forgot the activity) the job's last known
    state is shown.
    """
    shown: Job | services.ActivityStatus | None = status or job
    context = {
        "job": job,
        "status": status,
        "problem": problem,
        "polling": polling,
        "state": shown.state if shown else "",
        "state_label": shown.state_label if shown else "",
        "percent": shown.percent_done if shown else 0,
    }
    if job is not None and job.kind == Job.Kind.EXPORT and status is not None and status.file_gone:
        context |= _export_again(request, job)
    if wants_fragment(request):
        content = render_to_string("jobs/job_detail.html#progress", context, request=request)
        content += render_to_string("jobs/job_detail.html#retry_cleared")
        return HttpResponse(content) if context["polling"] else HttpResponseStopPolling(content)
    return render(request, "jobs/job_detail.html", context)


def _export_again(request: HttpRequest, job: Job) -> dict[str, bool]:
    """Whether the page of an export whose file is gone may offer a new one, and on which account.

    The export form works on the active connection, so the offer is a link only while that is
    the job's own; otherwise the page says which account to switch to.
    """
    allowed = can_write(request, job.connection)
    active = active_connection(request)
    return {"may_export": allowed, "on_job_account": active is not None and active.pk == job.connection_id}


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One job: its activity's progress, counts and row errors, and the export's download link."""
    job = _job(request, pk)
    problem = ""
    status: services.ActivityStatus | None = None
    try:
        status = services.refresh_job(client_for(request, job.connection), job)
    except CtctError as error:
        problem = services.api_problem(error)
    if problem:
        # A failed check is not the job failing: say so, and keep polling while it may be running.
        polling = not job.finished
    elif status is None:
        problem, polling = "Constant Contact no longer has this activity; its last known state is shown.", False
    else:
        polling = not status.finished
    return _progress(request, job, status, problem, polling)


@login_required
def activity_detail(request: HttpRequest, activity_id: UUID) -> HttpResponse:
    """Any activity of the active account (a list deleted elsewhere, say); a job's activity opens its job."""
    connection = _connection(request)
    job = Job.objects.filter(connection=connection, activity_id=str(activity_id)).first()
    if job is not None:
        return redirect("jobs:detail", job.pk)
    try:
        status = services.read_activity(client_for(request), str(activity_id))
    except NotFound:
        raise Http404("No such activity in this account.") from None
    return _progress(request, None, status, "", not status.finished)


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A finished export's CSV, streamed from the API with a file name to save it under."""
    job = _job(request, pk)
    if job.kind != Job.Kind.EXPORT:
        raise Http404("Only exports have a file to download.")
    client = client_for(request, job.connection)
    try:
        chunks = services.export_download(client, job)
    except services.ExportNotReady:
        messages.info(request, "The export's file is not ready yet.")
        return redirect("jobs:detail", job.pk)
    except services.ExportFileGone:
        # The job page says why and offers a new export.
        messages.info(request, "The export's file has been deleted.")
        return redirect("jobs:detail", job.pk)
    except NotFound:
        raise Http404("Constant Contact no longer has this export.") from None
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, services.export_file_name(job)) or "attachment"
    return response


# --- The import wizard -------------------------------------------------------------------------


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: upload a CSV; its size, length and email column are checked before anything else."""
    connection = require_writer(request)
    form = ImportUploadForm()
    if request.method == "POST":
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > MAX_BYTES + UPLOAD_OVERHEAD:
            # Refused before the body is read: nobody waits for a 50 MB upload to hear it is too big.
            refused = (
                f"That file is about {describe_size(declared)}; files can be at most {describe_size(MAX_BYTES)}. "
                "Split it into smaller files and import each."
            )
            return render(request, "jobs/import_upload.html", {"form": form, "refused": refused}, status=400)
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                staged = services.stage_import(connection, _user(request), form.cleaned_data["file"])
            except CsvProblem as problem:
                form.add_error("file", str(problem))
            else:
                return redirect("jobs:import-map", staged.token)
    return render(request, "jobs/import_upload.html", {"form": form}, status=400 if form.errors else 200)


@wizard_step
def import_map(request: HttpRequest, connection: Connection, staged: staging.StagedImport) -> HttpResponse:
    """Step 2: choose each column's contact field (matched automatically at first), with a preview."""
    targets = services.import_targets(client_for(request))
    parsed = staged.summary()
    if request.method == "POST":
        form = ImportMappingForm(request.POST, parsed=parsed, targets=targets)
        if form.is_valid() and request.POST.get("action") == "continue":
            staging.save_mapping(staged, form.chosen(), targets)
            return redirect("jobs:import-start", staged.token)
        chosen = form.chosen()
    else:
        # Back from step 3 the earlier choice stands; the first time, headers and values suggest one.
        chosen = staged.chosen or auto_match(parsed, targets)
        form = ImportMappingForm(
            initial={f"column_{index}": key for index, key in chosen.items()}, parsed=parsed, targets=targets
        )
    context = {"staged": staged, "form": form, "preview": preview(parsed, chosen, targets), "step": 2}
    if wants_fragment(request):
        return render(request, "jobs/import_map.html#preview", context)
    return render(request, "jobs/import_map.html", context, status=400 if form.is_bound and form.errors else 200)


@wizard_step
def import_start(request: HttpRequest, connection: Connection, staged: staging.StagedImport) -> HttpResponse:
    """Step 3: choose lists, then start the import and follow it on its job page."""
    if not staged.mapping:
        return redirect("jobs:import-map", staged.token)
    client = client_for(request)
    mapped = list(staged.chosen.values())
    form = ImportStartForm(
        request.POST if request.method == "POST" else None, lists=choices.list_choices(client), mapped=mapped
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_import(
                client,
                connection,
                _user(request),
                staged,
                list_ids=form.cleaned_data["list_ids"],
                new_list_name=form.cleaned_data["new_list"],
                sms_permission_to_send=form.cleaned_data.get("sms_permission_to_send") or "",
            )
        except CtctError as error:
            form.add_error(None, services.api_problem(error))
        else:
            messages.success(request, f"The import of {staged.file_name} has started.")
            return redirect("jobs:detail", job.pk)
    context = {
        "staged": staged,
        "form": form,
        "mapped": staged.described(),
        "step": 3,
    }
    return render(request, "jobs/import_start.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Abandon the wizard: the uploaded file is deleted."""
    connection = _connection(request)
    staged = staging.load(connection.workspace_id, _user(request).pk, token)
    if staged is not None:
        staging.discard(staged)
    messages.info(request, "The import was cancelled and the uploaded file deleted.")
    return redirect("jobs:list")


# --- Exports -----------------------------------------------------------------------------------


@login_required
def export_create(request: HttpRequest) -> HttpResponse:
    """Choose contacts and columns, then start the export and follow it on its job page."""
    connection = require_writer(request)
    client = client_for(request)
    form = ExportForm(
        request.POST if request.method == "POST" else None,
        lists=choices.list_choices(client),
        tags=choices.tag_choices(client),
        segments=choices.segment_choices(client),
        custom_fields=choices.custom_fields(client),
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_export(
                client,
                connection,
                _user(request),
                list_ids=form.cleaned_data["list_ids"],
                tag_ids=form.cleaned_data["tag_ids"],
                segment_id=form.cleaned_data["segment_id"],
                status=form.cleaned_data["status"],
                fields=form.cleaned_data["columns"],
                headers=form.cleaned_data["headers"],
                label=form.describe(),
            )
        except CtctError as error:
            form.add_error(None, services.api_problem(error))
        else:
            messages.success(request, "The export has started. Its file can be downloaded here once it is done.")
            return redirect("jobs:detail", job.pk)
    return render(request, "jobs/export_form.html", {"form": form}, status=400 if form.errors else 200)
