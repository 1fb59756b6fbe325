"""A campaign mailed by a real Celery worker process through a real SMTP server, the worker killed mid-send.

The worker (tests/worker.py) runs on the test database and a Redis broker with ``EMAIL_URL``
pointing at an aiosmtpd server in this process. The server holds its answer to one message
while the test kills the worker, so the kill lands mid-send at a known point; the restarted
worker must resume and leave every contact with exactly one copy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from apps.v3.campaigns.models import ActivityStatus, CampaignActivity, Send, SendRun
from tests.v3.campaigns.sending import SmtpServer, audience, campaign, history
from tests.v3.conftest import V3Api
from tests.worker import CeleryWorker, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def smtp_worker(worker: CeleryWorker, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CeleryWorker, SmtpServer]]:
    """The session's worker restarted to mail through a fresh SMTP server; stopped after the test."""
    server = SmtpServer()
    server.start()
    worker.stop()
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{server.port}")
    worker.start()
    try:
        yield worker, server
    finally:
        worker.stop()  # the next test's worker starts without EMAIL_URL
        server.stop()


def finished(run: SendRun, worker: CeleryWorker, timeout: float = 120.0) -> SendRun:
    """Poll the run until it has ended; fail with the worker's log if it does not in time."""

    def done() -> SendRun | None:
        current = SendRun.objects.get(pk=run.pk)
        return current if current.state in ("COMPLETED", "ERRORED") else None

    try:
        return wait_for(done, timeout, f"send run {run.pk} to end")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker log ---\n{worker.log_tail()}") from None


def test_a_worker_killed_mid_send_is_replaced_and_every_contact_gets_exactly_one_copy(
    smtp_worker: tuple[CeleryWorker, SmtpServer], api: V3Api
) -> None:
    worker, server = smtp_worker
    contacts, kill_at = 300, 120
    activity = campaign(api.account, audience(api.account, contacts))
    reached, killed = threading.Event(), threading.Event()

    def hold(number: int) -> bool:
        if number != kill_at or killed.is_set():
            return True
        reached.set()
        killed.wait(60)
        return False  # the sender died before hearing back: the message is not accepted

    server.sink.hold = hold
    response = api.post(f"/emails/activities/{activity.campaign_activity_id}/schedules", {"scheduled_date": "0"})
    assert response.status_code == 201, response.content
    run = SendRun.objects.get(activity=activity)

    assert reached.wait(120), f"the send never reached message {kill_at}\n{worker.log_tail()}"
    killed_pid = worker.pid
    worker.kill()
    killed.set()
    at_kill = SendRun.objects.get(pk=run.pk)
    assert at_kill.state == "running" and at_kill.lease_owner.split(":")[1] == str(killed_pid)
    assert Send.objects.filter(run=run).count() == kill_at - 1  # every accepted copy was recorded

    # A new worker finds the dead worker's run when it starts (the dispatcher runs on worker_ready).
    worker.start()
    done = finished(run, worker)
    assert done.state == "COMPLETED" and done.attempts == 2, worker.log_tail()
    per_recipient = server.sink.by_recipient()
    assert len(per_recipient) == contacts, worker.log_tail()
    assert [a for a, copies in per_recipient.items() if len(copies) != 1] == []
    assert Send.objects.filter(activity=activity).count() == contacts
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == ActivityStatus.DONE
    (entry,) = history(api, activity)
    assert (entry["count"], entry["send_status"], entry["reason_code"]) == (contacts, "COMPLETED", 0)
