"""Uploads refused at step 1, who may start jobs, and workspaces that never see each other's jobs or uploads."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.urls import reverse

from apps.accounts.models import Role
from apps.jobs.csv_files import MAX_BYTES, MAX_LINES
from apps.jobs.models import Job
from apps.v3.bulk.models import Activity, ActivityKind
from tests.dashboard.conftest import Connected, ConnectFactory

from .conftest import HX, csv_bytes, token_of, upload


def refusal(response: object) -> str:
    """The page of a refused upload, which must be a 400 that names the problem."""
    assert response.status_code == 400, response  # type: ignore[attr-defined]
    return response.content.decode()  # type: ignore[attr-defined]


def staged_files(connected: Connected) -> list[str]:
    """The uploads kept for the workspace's import wizards."""
    folder = f"jobs/imports/{connected.workspace.pk}"
    return sorted(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else []


def test_oversize_long_and_emailless_files_are_refused_at_upload(connected: Connected) -> None:
    pages = connected.pages()
    kept = staged_files(connected)
    just_over = b"email\n" + b"a@example.com\n" * (MAX_BYTES // 14 + 1)
    html = refusal(upload(pages, "big.csv", just_over))
    assert "big.csv is 4.0 MB; files can be at most 4.0 MB" in html and "Split it into smaller files" in html
    # Far over the limit the request is refused before its body is read.
    html = refusal(upload(pages, "huge.csv", b"email\n" + b"a" * (5 * 1024 * 1024)))
    assert "That file is about 5.0 MB; files can be at most 4.0 MB" in html

    long = csv_bytes(["email"], [[f"p{i}@example.com"] for i in range(MAX_LINES)])
    html = refusal(upload(pages, "long.csv", long))
    assert "long.csv has more than 40,000 lines" in html

    html = refusal(upload(pages, "names.csv", csv_bytes(["First", "Last"], [["Ann", "Lee"]])))
    assert "names.csv has no email address column" in html
    assert refusal(pages.post(reverse("jobs:import"), {})).count("This field is required") == 1
    assert staged_files(connected) == kept  # nothing refused was kept


def test_viewers_see_jobs_but_cannot_start_them(connect: ConnectFactory) -> None:
    viewer = connect(role=Role.VIEWER)
    pages = viewer.pages()
    page = pages.get(reverse("jobs:list"))
    assert page.status_code == 200 and "Import contacts" not in page.content.decode()
    assert pages.get(reverse("jobs:import")).status_code == 403
    assert pages.get(reverse("jobs:export")).status_code == 403


def test_another_workspace_gets_404_for_a_job_and_cannot_use_an_upload(connect: ConnectFactory) -> None:
    owner, stranger = connect(), connect()
    # An activity of the owner's account, made in the service directly so that no worker picks it up.
    activity = Activity.objects.create(account=owner.account, kind=ActivityKind.CONTACT_EXPORT)
    job = Job.objects.create(
        workspace=owner.workspace,
        connection=owner.connection,
        kind=Job.Kind.EXPORT,
        activity_id=str(activity.activity_id),
        label="All contacts",
        created_by=owner.user,
    )
    theirs = stranger.pages()
    for url in (reverse("jobs:detail", args=[job.pk]), reverse("jobs:download", args=[job.pk])):
        assert theirs.get(url).status_code == 404
    assert theirs.get(reverse("jobs:detail", args=[job.pk]), **HX).status_code == 404
    assert "All contacts" not in theirs.get(reverse("jobs:list")).content.decode()
    # Their account's API does not know the other account's activity either.
    assert theirs.get(reverse("jobs:activity", args=[activity.activity_id])).status_code == 404
    assert theirs.get(reverse("jobs:activity", args=[uuid.uuid4()])).status_code == 404

    # The owner's page is there, and their upload is theirs alone.
    mine = owner.pages()
    assert mine.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    token = token_of(upload(mine, "p.csv", csv_bytes(["email"], [["a@example.com"]])))
    for url in (reverse("jobs:import-map", args=[token]), reverse("jobs:import-start", args=[token])):
        response = theirs.get(url, follow=True)
        assert response.redirect_chain == [(reverse("jobs:import"), 302)]
        assert "That upload is no longer here" in response.content.decode()
    assert mine.get(reverse("jobs:import-map", args=[token])).status_code == 200
    mine.post(reverse("jobs:import-cancel", args=[token]))


def test_cancelling_the_wizard_deletes_the_upload(connected: Connected) -> None:
    pages = connected.pages()
    token = token_of(upload(pages, "p.csv", csv_bytes(["email"], [["a@example.com"]])))
    stored = f"jobs/imports/{connected.workspace.pk}/{token}.csv"
    assert default_storage.exists(stored)
    response = pages.post(reverse("jobs:import-cancel", args=[token]), follow=True)
    assert "The import was cancelled" in response.content.decode()
    assert not default_storage.exists(stored)
    assert pages.get(reverse("jobs:import-map", args=[token])).status_code == 302
