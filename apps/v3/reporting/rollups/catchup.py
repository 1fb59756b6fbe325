"""The catch-up: fold the Send and TrackingEvent rows written since the watermark into the counters
and per-contact rollups reports read (docs/decisions/reporting.md#rollups-catch-up-from-a-watermark).

Why a catch-up and not counters moved in the writers' transactions: the open pixel is the hottest
write of the service (one insert, committed without waiting for the WAL flush) and the send engine
writes thousands of sends a second; an UPDATE of one counter row per activity inside each of those
transactions would serialise every open of a campaign on that row. Instead a Celery beat task and
the start of each report request fold what is new, set-based (two INSERT ... SELECT ... GROUP BY
... ON CONFLICT statements per source, whatever the batch size), under a row lock on the watermark
so two catch-ups never fold the same rows twice. A report request folds at most one bounded batch
(``REQUEST_BATCH`` rows per source), so its cost does not grow with the account's history; beat
folds until it is caught up.

Ids are taken in one transaction and committed in another, so a row with a lower id may become
visible after the watermark moved past it. Missing ids of each batch are kept as ``gaps`` and looked
up again by every later catch-up until they appear or ``GAP_TTL`` seconds pass (a rolled-back
insert leaves a gap for good).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from apps.v3.campaigns.models import Send, TrackingEvent
from apps.v3.reporting.models import RollupWatermark

WATERMARK = "email"
REQUEST_BATCH = 5_000
BEAT_BATCH = 50_000
GAP_TTL = 300.0
MAX_GAPS = 1_000  # only the highest missing ids of a batch can still be in flight; lower ones were deleted

# One fact per (row, dimension): "" for all rows, the device of opens and clicks, the link of a
# click, the code of a bounce. A device left empty is "none", so it never collides with "".
_EVENT_FACTS = """
    SELECT e.account_id, e.activity_id, e.contact_id, e.kind, '' AS dim, e.created_at AS at
      FROM v3_trackingevent e WHERE {where}
    UNION ALL
    SELECT e.account_id, e.activity_id, e.contact_id, e.kind,
           CASE WHEN e.device_type = '' THEN 'none' ELSE e.device_type END, e.created_at
      FROM v3_trackingevent e WHERE ({where}) AND e.kind IN ('open', 'click')
    UNION ALL
    SELECT e.account_id, e.activity_id, e.contact_id, e.kind, 'u' || CAST(e.url_id AS TEXT), e.created_at
      FROM v3_trackingevent e WHERE ({where}) AND e.kind = 'click' AND e.url_id IS NOT NULL
    UNION ALL
    SELECT e.account_id, e.activity_id, e.contact_id, e.kind, 'b' || e.bounce_code, e.created_at
      FROM v3_trackingevent e WHERE ({where}) AND e.kind = 'bounce' AND e.bounce_code <> ''
"""

_SEND_FACTS = """
    SELECT c.account_id, s.activity_id, s.contact_id, 'send' AS kind, '' AS dim, s.sent_at AS at
      FROM v3_send s
      JOIN v3_campaignactivity a ON a.id = s.activity_id
      JOIN v3_emailcampaign c ON c.id = a.campaign_id
     WHERE {where}
"""

_GROUPED = """
    WITH facts AS ({facts}),
    grouped AS (
        SELECT account_id, activity_id, contact_id, kind, dim,
               COUNT(*) AS n, MIN(at) AS first_at, MAX(at) AS last_at
          FROM facts GROUP BY account_id, activity_id, contact_id, kind, dim
    )
"""

_LATER = "CASE WHEN t.{f} IS NULL OR excluded.{f} {op} t.{f} THEN excluded.{f} ELSE t.{f} END"
# The earlier first time and the later last time (LEAST/GREATEST are not SQLite's).
_TIMES = f"first_at = {_LATER.format(f='first_at', op='<')}, last_at = {_LATER.format(f='last_at', op='>')}"

# Counters first: a contact is new to a (kind, dim) when no rollup row holds it yet; the rollups
# are written after, in the same transaction, under the watermark's lock.
_COUNTERS = (
    _GROUPED  # noqa: S608 - constant SQL text; every value is a bound parameter
    + """
    INSERT INTO v3_activitycounter AS t (account_id, activity_id, kind, dim, total, uniques, first_at, last_at)
    SELECT g.account_id, g.activity_id, g.kind, g.dim, SUM(g.n),
           SUM(CASE WHEN {new_contact} THEN 1 ELSE 0 END), MIN(g.first_at), MAX(g.last_at)
      FROM grouped g
     GROUP BY g.account_id, g.activity_id, g.kind, g.dim
    ON CONFLICT (activity_id, kind, dim) DO UPDATE SET
        total = t.total + excluded.total,
        uniques = t.uniques + excluded.uniques,
        """
    + _TIMES
)

_NEW_CONTACT = """NOT EXISTS (
    SELECT 1 FROM v3_contactrollup r
     WHERE r.activity_id = g.activity_id AND r.kind = g.kind AND r.dim = g.dim AND r.contact_id = g.contact_id)"""

_ROLLUPS = (
    _GROUPED  # noqa: S608 - constant SQL text; every value is a bound parameter
    + """
    INSERT INTO v3_contactrollup AS t (activity_id, contact_id, kind, dim, count, first_at, last_at)
    SELECT g.activity_id, g.contact_id, g.kind, g.dim, g.n, g.first_at, g.last_at FROM grouped g WHERE true
    ON CONFLICT (activity_id, kind, dim, contact_id) DO UPDATE SET
        count = t.count + excluded.count,
        """
    + _TIMES
)


# Did-not-opens: a rollup row of kind "unopened" per delivered send, written when the send is folded
# unless its contact already opened or bounced, and deleted when an open or bounce of that contact is
# folded; so the page reads the rows it lists off an index, however many of the sends were opened.
UNOPENED = "unopened"
_UNOPENED_SENDS = """
    INSERT INTO v3_contactrollup (activity_id, contact_id, kind, dim, count, first_at, last_at)
    SELECT s.activity_id, s.contact_id, 'unopened', '', 1, s.sent_at, s.sent_at
      FROM v3_send s
     WHERE ({where}) AND s.status = 'sent' AND NOT EXISTS (
           SELECT 1 FROM v3_contactrollup r
            WHERE r.activity_id = s.activity_id AND r.kind IN ('open', 'bounce') AND r.dim = ''
              AND r.contact_id = s.contact_id)
    ON CONFLICT (activity_id, kind, dim, contact_id) DO NOTHING
"""
_OPENED = """
    DELETE FROM v3_contactrollup
     WHERE kind = 'unopened' AND dim = '' AND (activity_id, contact_id) IN (
           SELECT e.activity_id, e.contact_id FROM v3_trackingevent e
            WHERE ({where}) AND e.kind IN ('open', 'bounce'))
"""


@dataclass
class Folded:
    """What one catch-up folded: rows of each source."""

    sends: int = 0
    events: int = 0
    complete: bool = True  # nothing was left behind the watermark when it returned


def pending(watermark: RollupWatermark | None = None) -> bool:
    """Whether anything is left to fold; read without the lock, so a caught-up report takes none."""
    mark = watermark or RollupWatermark.objects.filter(name=WATERMARK).first()
    if mark is None:
        return Send.objects.exists() or TrackingEvent.objects.exists()
    if any(mark.gaps.get(source) for source in ("send", "event")):
        return True
    return (
        Send.objects.filter(pk__gt=mark.last_send_id).exists()
        or TrackingEvent.objects.filter(pk__gt=mark.last_event_id).exists()
    )


def catch_up(batch: int = REQUEST_BATCH, rounds: int = 1) -> Folded:
    """Fold up to ``rounds`` batches of ``batch`` rows of each source; returns how many were folded."""
    folded = Folded()
    if not pending():
        return folded
    RollupWatermark.objects.get_or_create(name=WATERMARK)
    for _ in range(rounds):
        with transaction.atomic():
            # The lock: writing the watermark row first takes its row lock on PostgreSQL and the
            # database's write lock on SQLite (where SELECT ... FOR UPDATE is a no-op), so a second
            # catch-up waits here, then reads the watermark the first moved and folds only what is left.
            RollupWatermark.objects.filter(name=WATERMARK).update(refreshed_at=timezone.now())
            mark = RollupWatermark.objects.select_for_update().get(name=WATERMARK)
            sends = _fold(mark, "send", Send, _SEND_FACTS, "s", batch)
            events = _fold(mark, "event", TrackingEvent, _EVENT_FACTS, "e", batch)
            mark.refreshed_at = timezone.now()
            mark.save(update_fields=["last_send_id", "last_event_id", "gaps", "refreshed_at"])
        folded.sends += sends
        folded.events += events
        if sends < batch and events < batch:
            break
    else:
        folded.complete = False
    return folded


def _fold(
    mark: RollupWatermark, source: str, model: type[Send] | type[TrackingEvent], facts: str, alias: str, batch: int
) -> int:
    """Fold one source's rows after the watermark (and its gaps that appeared); move the watermark."""
    field = "last_send_id" if source == "send" else "last_event_id"
    low: int = getattr(mark, field)
    ids = list(model.objects.filter(pk__gt=low).order_by("pk").values_list("pk", flat=True)[:batch])
    now = time.time()
    gaps: dict[str, float] = {k: v for k, v in mark.gaps.get(source, {}).items() if now - v < GAP_TTL}
    found = list(model.objects.filter(pk__in=[int(k) for k in gaps]).values_list("pk", flat=True)) if gaps else []
    for pk in found:
        gaps.pop(str(pk), None)
    if ids:
        high = ids[-1]
        present = set(ids)
        missing = [pk for pk in range(high - 1, low, -1) if pk not in present][:MAX_GAPS]
        gaps.update({str(pk): now for pk in missing})
        setattr(mark, field, high)
    mark.gaps = {**mark.gaps, source: gaps}
    if not ids and not found:
        return 0
    conditions, params = [], []
    if ids:
        conditions.append(f"{alias}.id > %s AND {alias}.id <= %s")
        params += [low, ids[-1]]
    if found:
        conditions.append(f"{alias}.id IN ({', '.join(['%s'] * len(found))})")
        params += found
    where = " OR ".join(f"({c})" for c in conditions)
    repeats = facts.count("{where}")
    sql_facts = facts.format(where=where)
    with connection.cursor() as cursor:
        cursor.execute(_COUNTERS.format(facts=sql_facts, new_contact=_NEW_CONTACT), params * repeats)
        cursor.execute(_ROLLUPS.format(facts=sql_facts), params * repeats)
        # Sends are folded before events in each catch-up, and each side checks the other's rows.
        cursor.execute((_UNOPENED_SENDS if source == "send" else _OPENED).format(where=where), params)
    return len(ids) + len(found)
