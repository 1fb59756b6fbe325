"""Mailing one run: resolve its recipients, render their copies, hand each to the email backend, record it.

Recipients are walked in contact-id order, :data:`BATCH` at a time: one query selects the batch
(eligibility re-checked, so someone who unsubscribed meanwhile is skipped), the renderer fills in
the batch's copies, and one connection of Django's email backend carries them. Each copy's
``Send`` row is written, with the run's checkpoint and heartbeat, in one statement as soon as the
server has answered for it (docs/decisions/campaigns.md#a-copy-is-recorded-when-the-server-answers):
a worker killed mid-batch leaves every accepted copy recorded, and the run resumes after it.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formataddr
from urllib.parse import urlsplit

from celery.utils.log import get_task_logger
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.utils import timezone

from apps.v3.campaigns.engine import runs
from apps.v3.campaigns.engine.mime import CopyMessage
from apps.v3.campaigns.engine.recipients import ab_rank, recipients
from apps.v3.campaigns.models import ABTest, CampaignActivity, Send, SendRun, SendRunState, SendStatus
from apps.v3.campaigns.rendering.copy import Copy, Renderer
from apps.v3.campaigns.tracking.bounces import record_bounce
from apps.v3.contacts.models import Contact

logger = get_task_logger(__name__)

# Recipients per batch: one recipient query, one custom-field query in the renderer and one mail
# server connection each. 500 spreads the connection's setup (TCP, EHLO, STARTTLS, AUTH) and
# the queries over enough copies that they cost well under 1% of the batch, keeps a batch's
# contacts and copies a few megabytes at most, and stays under the messages-per-connection
# limits relays commonly set (Postfix's default is unlimited; hosted relays often cap near 1,000).
BATCH = 500


# A server that refuses this many recipients in a row at the start of a run, having accepted none,
# is refusing the run (relay denied, sender blocked), not reporting bad addresses: the refusals are
# not recorded as bounces (which would spend the contacts' copies) and the run fails as a server
# failure (docs/decisions/campaigns.md#send-failures).
REFUSED_BEFORE_DOWN = 20


class MailServerDown(Exception):
    """The mail server could not be reached, or refused the session or the sender: retried, then ERROR."""


@dataclass
class Plan:
    """How a run mails: a renderer per variant, and for an A/B test's samples, who gets which."""

    renderers: dict[str, Renderer]
    # None: every recipient gets the run's own variant; else contact pk -> "A" / "B" (others skipped).
    variant_of: dict[int, str] | None = None
    total: int = 0
    default: str = ""
    # Whether the server accepted any copy of the run yet; refusals held back until it does.
    accepted: bool = False
    held: list[tuple[Contact, str, int, str]] = field(default_factory=list)


def _plan(run: SendRun, activity: CampaignActivity) -> Plan:
    abtest = ABTest.objects.filter(activity=activity).first()
    if run.phase == runs.TEST_PHASE and abtest is not None:
        # The samples: test_size percent of the recipients each, disjoint, drawn by a rank
        # fixed per A/B test so a resumed run, or one scheduled again after an ERROR, draws the
        # same people (recipients.ab_rank); those already mailed a sample count among them.
        tested = Send.objects.filter(activity=activity, variant__in=("A", "B"))
        already = set(tested.values_list("contact_id", flat=True))
        candidates = set(recipients(activity).values_list("pk", flat=True)) | already
        size = run.total // 2 if run.total is not None else len(candidates) * abtest.test_size // 100
        ranked = ab_rank(abtest.pk, candidates)
        variant_of = {pk: "A" for pk in ranked[:size]} | {pk: "B" for pk in ranked[size : 2 * size]}
        renderers = {"A": Renderer(activity), "B": Renderer(activity, subject=abtest.alternative_subject)}
        return Plan(renderers, variant_of, total=2 * size)
    variant = run.variant
    subject = abtest.alternative_subject if abtest is not None and variant == "B" else None
    total = run.total if run.total is not None else recipients(activity).count()
    return Plan({variant: Renderer(activity, subject=subject)}, None, total=total, default=variant)


def process(run_pk: int) -> None:
    """Claim the run and mail it to the end, resuming after what is recorded; safe to call any number of times."""
    claim = runs.claim(run_pk)
    if claim is None:
        return
    run = claim.run
    logger.info("send run %s of activity %s: starting after contact %s", run.pk, run.activity_id, run.checkpoint)
    try:
        with _fast_commits():
            _mail(claim)
    except runs.LeaseLost:
        logger.warning("send run %s: lease lost; the new holder carries on", run.pk)
        return
    except Exception:
        runs.release(claim)
        raise
    if runs.finish(run, SendRunState.COMPLETED, token=claim.token):
        logger.info("send run %s completed: %s sent", run.pk, run.count)


def give_up(run_pk: int) -> None:
    """End a run that keeps failing as ERRORED (its activity goes to ERROR); what was sent stays recorded."""
    run = SendRun.objects.filter(pk=run_pk).first()
    if run is not None:
        runs.finish(run, SendRunState.ERRORED)


def _mail(claim: runs.Claim) -> None:
    run = claim.run
    activity = run.activity
    plan = _plan(run, activity)
    plan.accepted = Send.objects.filter(run=run, status=SendStatus.SENT).exists()
    if run.total is None:
        runs.beat(claim, total=plan.total)
    todo = recipients(activity).order_by("pk")
    backend = get_connection()
    while True:
        batch = list(todo.filter(pk__gt=run.checkpoint)[:BATCH])
        if not batch:
            _flush_refusals(claim, plan)  # fewer than REFUSED_BEFORE_DOWN: bad addresses after all
            return
        # An A/B test's first run mails only its two samples; the rest wait for the winner.
        variant_of = plan.variant_of
        chosen = batch if variant_of is None else [c for c in batch if c.pk in variant_of]
        if chosen:
            _send_batch(claim, backend, plan, chosen)
        runs.beat(claim, checkpoint=batch[-1].pk)


def _send_batch(claim: runs.Claim, backend: BaseEmailBackend, plan: Plan, contacts: list[Contact]) -> None:
    activity = claim.run.activity
    variants = [plan.variant_of[c.pk] if plan.variant_of is not None else plan.default for c in contacts]
    copies: dict[int, Copy] = {}
    for variant, renderer in plan.renderers.items():
        group = [c for c, v in zip(contacts, variants, strict=True) if v == variant]
        copies.update(zip((c.pk for c in group), renderer.copies(group), strict=True))
    sender = formataddr((activity.from_name, activity.from_email)) if activity.from_email else None
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    try:
        backend.open()
    except (smtplib.SMTPException, OSError) as exc:
        raise MailServerDown(f"cannot connect to the mail server: {exc!r}") from exc
    try:
        for contact, variant in zip(contacts, variants, strict=True):
            copy = copies[contact.pk]
            message = CopyMessage(
                copy.subject,
                copy.text,
                from_email=sender,
                to=[contact.email_address],
                reply_to=[activity.reply_to_email] if activity.reply_to_email else None,
                # A Message-ID fixed per (activity, contact): should a copy ever go out twice (the
                # worker killed between the server's answer and the record), a receiver can tell.
                headers={
                    **copy.headers,
                    "Message-ID": f"<{activity.campaign_activity_id}.{contact.contact_id}@{domain}>",
                },
                connection=backend,
            )
            message.attach_alternative(copy.html, "text/html")
            try:
                backend.send_messages([message])
            except smtplib.SMTPRecipientsRefused as exc:
                code, diagnostic = next(iter(exc.recipients.values()), (550, b""))
                _refused(claim, plan, contact, variant, code, _text(diagnostic))
                continue
            except smtplib.SMTPDataError as exc:
                if exc.smtp_code >= 500:  # this message refused for good; the session goes on
                    _refused(claim, plan, contact, variant, exc.smtp_code, _text(exc.smtp_error))
                    continue
                raise MailServerDown(f"the mail server deferred a message: {exc!r}") from exc
            except (smtplib.SMTPException, OSError) as exc:
                raise MailServerDown(f"the mail server failed: {exc!r}") from exc
            _record(claim, contact, variant, SendStatus.SENT)
            if not plan.accepted:
                plan.accepted = True
                _flush_refusals(claim, plan)
    finally:
        try:
            backend.close()
        except (smtplib.SMTPException, OSError):
            logger.info("send run %s: closing the mail connection failed", claim.run.pk)


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


def _refused(claim: runs.Claim, plan: Plan, contact: Contact, variant: str, code: int, diagnostic: str) -> None:
    """A recipient refused at send time: a bounce, once the server has shown it delivers anything."""
    if plan.accepted:
        _bounced(claim, contact, variant, code, diagnostic)
        return
    plan.held.append((contact, variant, code, diagnostic))
    if len(plan.held) >= REFUSED_BEFORE_DOWN:
        raise MailServerDown(f"the mail server refused the first {len(plan.held)} recipients: {code} {diagnostic}")


def _flush_refusals(claim: runs.Claim, plan: Plan) -> None:
    for contact, variant, code, diagnostic in plan.held:
        _bounced(claim, contact, variant, code, diagnostic)
    plan.held.clear()


def _bounced(claim: runs.Claim, contact: Contact, variant: str, code: int, diagnostic: str) -> None:
    """A copy the server refused at send time: its send row (bounced) and the bounce, together."""
    with transaction.atomic():
        _record(claim, contact, variant, SendStatus.BOUNCED)
        # A 4xx reply is temporary: this copy bounced, the address stays mailable.
        final = not 400 <= code < 500
        record_bounce(claim.run.activity, contact, contact.email_address, code, diagnostic, final=final)


def _record(claim: runs.Claim, contact: Contact, variant: str, status: str) -> None:
    """The copy's send row, the run's checkpoint (this contact) and heartbeat, in one transaction.

    The row is written even when the lease is gone (the copy went out; the new holder must not
    send it again); the lease loss is raised after.
    """
    run = claim.run
    now = timezone.now()
    values = (run.activity_id, contact.pk, run.pk, contact.email_address, status, variant, now)
    if connection.vendor == "postgresql":
        # One round trip per copy: both writes in one statement (hence one transaction).
        with connection.cursor() as cursor:
            cursor.execute(_PG_RECORD, [*values, contact.pk, now, run.pk, claim.token])
            held = cursor.rowcount
    else:
        with transaction.atomic():
            Send.objects.bulk_create(
                [
                    Send(
                        activity_id=run.activity_id,
                        contact=contact,
                        run=run,
                        email_address=contact.email_address,
                        status=status,
                        variant=variant,
                        sent_at=now,
                    )
                ],
                ignore_conflicts=True,
            )
            held = SendRun.objects.filter(pk=run.pk, lease_owner=claim.token).update(
                checkpoint=contact.pk, heartbeat_at=now
            )
    if not held:
        raise runs.LeaseLost(f"send run {run.pk}: lease {claim.token} was taken over")
    run.checkpoint, run.heartbeat_at = contact.pk, now


_PG_RECORD = f"""
WITH sent AS (
    INSERT INTO {Send._meta.db_table} (activity_id, contact_id, run_id, email_address, status, variant, sent_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (activity_id, contact_id) DO NOTHING
)
UPDATE {SendRun._meta.db_table} SET checkpoint = %s, heartbeat_at = %s WHERE id = %s AND lease_owner = %s
"""  # noqa: S608 - table names from the models, values as parameters


@contextmanager
def _fast_commits() -> Iterator[None]:
    """On PostgreSQL, commits that do not wait for the WAL flush while a run mails.

    Every copy is its own commit; waiting for the disk each time would bound a run by the disk's
    flush rate. A worker killed loses nothing by it; a crash of the database server itself could
    lose the last fraction of a second of send rows, whose copies would then go out again
    (docs/decisions/campaigns.md#a-copy-is-recorded-when-the-server-answers).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
