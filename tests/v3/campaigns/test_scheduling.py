"""Scheduling through the API, and the dispatcher on a controlled clock: due dates, A/B winners, resends.

Mail goes to Django's in-memory backend here (the SMTP path is test_sending.py); ``dispatch`` is
called with the time each test decides, never after a sleep.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from apps.v3.campaigns.engine import send
from apps.v3.campaigns.engine.dispatch import dispatch
from apps.v3.campaigns.models import (
    ABTest,
    ActivityRole,
    ActivityStatus,
    CampaignActivity,
    EventKind,
    NonOpenerResend,
    Send,
    SendRun,
    TrackingEvent,
)
from apps.v3.contacts.models import Contact
from tests.v3.campaigns.sending import audience, campaign, history, schedule_now
from tests.v3.conftest import V3Api
from tests.v3.support import error


def schedules(activity: CampaignActivity) -> str:
    return f"/emails/activities/{activity.campaign_activity_id}/schedules"


def iso(when: Any) -> str:
    return when.isoformat().replace("+00:00", "Z")


def run_all(now: Any) -> list[int]:
    """One dispatcher pass at ``now``, then every run it started mailed to the end; the runs' ids."""
    done = dispatch(now)
    started = done.started + done.winners + done.resends
    for pk in started:
        send.process(pk)
    return started


def test_a_future_schedule_waits_for_its_date_then_the_dispatcher_starts_it_once(api: V3Api) -> None:
    activity = campaign(api.account, audience(api.account, 4))
    when = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    response = api.post(schedules(activity), {"scheduled_date": iso(when)})
    assert response.status_code == 201 and response.json() == [{"scheduled_date": iso(when)}]
    assert api.get(schedules(activity)).json() == [{"scheduled_date": iso(when)}]
    activity.refresh_from_db()
    assert (activity.current_status, activity.prior_status) == (ActivityStatus.SCHEDULED, ActivityStatus.DRAFT)

    assert run_all(when - timedelta(seconds=1)) == []
    assert not SendRun.objects.exists() and mail.outbox == []
    (run_pk,) = run_all(when)
    assert run_all(when + timedelta(minutes=1)) == []  # started once only
    assert len(mail.outbox) == 4
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == ActivityStatus.DONE
    assert api.get(schedules(activity)).json() == []
    assert [e["run_date"] for e in history(api, activity)] == [iso(when)]
    assert SendRun.objects.get(pk=run_pk).send_id == 1


def test_a_date_alone_means_its_midnight_utc(api: V3Api) -> None:
    activity = campaign(api.account, audience(api.account, 1))
    day = (timezone.now() + timedelta(days=3)).date()
    response = api.post(schedules(activity), {"scheduled_date": day.isoformat()})
    assert response.status_code == 201
    assert response.json() == [{"scheduled_date": f"{day.isoformat()}T00:00:00Z"}]


@pytest.mark.parametrize("status", [ActivityStatus.DRAFT, ActivityStatus.DONE, ActivityStatus.ERROR])
def test_unscheduling_restores_the_status_before_scheduling(api: V3Api, status: str) -> None:
    activity = campaign(api.account, audience(api.account, 1), current_status=status)
    later = iso(timezone.now() + timedelta(days=1))
    assert api.post(schedules(activity), {"scheduled_date": later}).status_code == 201
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == ActivityStatus.SCHEDULED
    assert api.delete(schedules(activity)).status_code == 204
    activity.refresh_from_db()
    assert activity.current_status == status and activity.scheduled_date is None
    assert api.get(schedules(activity)).json() == []
    # Not scheduled any more: a second DELETE is refused and changes nothing.
    error(api.delete(schedules(activity)), 400, "SCHEDULED")
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == status
    assert run_all(timezone.now() + timedelta(days=2)) == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"scheduled_date": "tomorrow"}, ["scheduled_date", "ISO-8601"]),
        ({"scheduled_date": "2020-01-01T00:00:00Z"}, ["scheduled_date", "past"]),
        ({"scheduled_date": "2031-02-30"}, ["scheduled_date"]),
        ({"scheduled_date": 0}, ["scheduled_date"]),
        ({}, ["scheduled_date"]),
    ],
)
def test_a_bad_scheduled_date_is_a_400_that_changes_nothing(api: V3Api, body: dict[str, Any], words: list[str]) -> None:
    activity = campaign(api.account, audience(api.account, 1))
    error(api.post(schedules(activity), body), 400, *words)
    activity.refresh_from_db()
    assert activity.current_status == ActivityStatus.DRAFT and activity.scheduled_date is None
    assert not SendRun.objects.exists()


def test_scheduling_is_refused_without_recipients_in_a_status_or_role_the_spec_excludes(api: V3Api) -> None:
    now = {"scheduled_date": "0"}
    empty = campaign(api.account)
    error(api.post(schedules(empty), now), 400, "recipients")
    executing = campaign(api.account, audience(api.account, 1), name="Busy", current_status=ActivityStatus.EXECUTING)
    error(api.post(schedules(executing), now), 400, "EXECUTING")
    permalink = CampaignActivity.objects.get(campaign=empty.campaign, role=ActivityRole.PERMALINK)
    error(api.post(schedules(permalink), now), 400, "primary_email")
    assert api.post("/emails/activities/00000000-0000-4000-8000-000000000000/schedules", now).status_code == 404
    error(api.post("/emails/activities/not-an-id/schedules", now), 400, "campaign_activity_id")
    assert not SendRun.objects.exists()
    statuses = set(CampaignActivity.objects.values_list("current_status", flat=True))
    assert statuses == {ActivityStatus.DRAFT, ActivityStatus.EXECUTING}


def test_another_accounts_activity_cannot_be_scheduled_read_or_unscheduled(api: V3Api, other_api: V3Api) -> None:
    theirs = campaign(other_api.account, audience(other_api.account, 2))
    assert (
        other_api.post(schedules(theirs), {"scheduled_date": iso(timezone.now() + timedelta(days=1))}).status_code
        == 201
    )
    for response in (
        api.post(schedules(theirs), {"scheduled_date": "0"}),
        api.get(schedules(theirs)),
        api.delete(schedules(theirs)),
        api.get(f"/emails/activities/{theirs.campaign_activity_id}/send_history"),
    ):
        assert response.status_code == 404, response.content
    assert CampaignActivity.objects.get(pk=theirs.pk).current_status == ActivityStatus.SCHEDULED


def ab_activity(api: V3Api, contacts: int, test_size: int = 10) -> CampaignActivity:
    activity = campaign(api.account, audience(api.account, contacts), subject="Subject A")
    ABTest.objects.create(
        activity=activity, alternative_subject="Subject B", test_size=test_size, winner_wait_duration=6
    )
    return activity


def opened(activity: CampaignActivity, variant: str, n: int) -> None:
    """``n`` recipients of ``variant`` open their copy (twice each: unique opens count)."""
    sends = Send.objects.filter(activity=activity, variant=variant).order_by("pk")[:n]
    rows = [
        TrackingEvent(
            account_id=activity.campaign.account_id, activity=activity, contact_id=s.contact_id, kind=EventKind.OPEN
        )
        for s in sends
        for _ in range(2)
    ]
    TrackingEvent.objects.bulk_create(rows)


def test_an_ab_test_mails_two_samples_then_after_the_wait_the_winner_to_the_rest(api: V3Api) -> None:
    activity = ab_activity(api, 200, test_size=10)
    send.process(schedule_now(api, activity).pk)
    subjects = [m.subject for m in mail.outbox]
    assert subjects.count("Subject A") == 20 and subjects.count("Subject B") == 20 and len(subjects) == 40
    a = set(Send.objects.filter(activity=activity, variant="A").values_list("contact_id", flat=True))
    b = set(Send.objects.filter(activity=activity, variant="B").values_list("contact_id", flat=True))
    assert len(a) == len(b) == 20 and not a & b
    abtest = ABTest.objects.get(activity=activity)
    assert abtest.test_sent_at is not None and abtest.winner == ""
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == ActivityStatus.EXECUTING

    opened(activity, "A", 2)
    opened(activity, "B", 5)
    assert run_all(abtest.test_sent_at + timedelta(hours=6) - timedelta(seconds=1)) == []
    mail.outbox.clear()
    assert len(run_all(abtest.test_sent_at + timedelta(hours=6))) == 1
    abtest.refresh_from_db()
    assert abtest.winner == "B" and abtest.winner_sent_at is not None
    assert len(mail.outbox) == 160 and {m.subject for m in mail.outbox} == {"Subject B"}
    assert {m.to[0] for m in mail.outbox}.isdisjoint(
        Contact.objects.filter(pk__in=a | b).values_list("email_address", flat=True)
    )
    assert Send.objects.filter(activity=activity).count() == 200
    assert CampaignActivity.objects.get(pk=activity.pk).current_status == ActivityStatus.DONE
    assert [e["count"] for e in history(api, activity)] == [40, 160]
    assert run_all(abtest.test_sent_at + timedelta(days=3)) == []


def test_an_ab_test_tie_goes_to_a(api: V3Api) -> None:
    activity = ab_activity(api, 40, test_size=25)
    send.process(schedule_now(api, activity).pk)
    opened(activity, "A", 3)
    opened(activity, "B", 3)
    abtest = ABTest.objects.get(activity=activity)
    mail.outbox.clear()
    run_all(abtest.test_sent_at + timedelta(hours=6))
    assert ABTest.objects.get(pk=abtest.pk).winner == "A"
    assert len(mail.outbox) == 20 and {m.subject for m in mail.outbox} == {"Subject A"}


def test_a_resend_mails_the_non_openers_when_its_date_comes(api: V3Api) -> None:
    activity = campaign(api.account, audience(api.account, 10))
    send.process(schedule_now(api, activity).pk)
    first_run = SendRun.objects.get(activity=activity)
    resend_activity = CampaignActivity.objects.create(
        campaign=activity.campaign,
        role=ActivityRole.RESEND,
        resend_of=activity,
        subject="Did you miss it, [[FIRSTNAME]]?",
        from_name=activity.from_name,
        from_email=activity.from_email,
        html_content=activity.html_content,
    )
    request = NonOpenerResend.objects.create(
        activity=activity, resend=resend_activity, resend_subject="Did you miss it?", delay_minutes=720
    )
    openers = list(Send.objects.filter(activity=activity).order_by("pk").values_list("contact_id", flat=True)[:3])
    TrackingEvent.objects.bulk_create(
        [TrackingEvent(account=api.account, activity=activity, contact_id=pk, kind=EventKind.OPEN) for pk in openers]
    )
    mail.outbox.clear()
    due = first_run.run_date + timedelta(minutes=720)
    assert run_all(due - timedelta(seconds=1)) == []
    request.refresh_from_db()
    assert request.resend_date == due  # dated from the primary's send
    assert len(run_all(due)) == 1
    assert len(mail.outbox) == 7 and all(m.subject.startswith("Did you miss it, First") for m in mail.outbox)
    openers_addresses = set(Contact.objects.filter(pk__in=openers).values_list("email_address", flat=True))
    assert not {m.to[0] for m in mail.outbox} & openers_addresses
    assert CampaignActivity.objects.get(pk=resend_activity.pk).current_status == ActivityStatus.DONE
    assert run_all(due + timedelta(days=1)) == []
    assert [e["count"] for e in history(api, resend_activity)] == [7]
