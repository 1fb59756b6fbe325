"""Adding contacts to and removing them from lists and tags in bulk.

``add_list_memberships``, ``remove_list_memberships``, ``contacts_taggings_add`` and
``contacts_taggings_remove`` share one shape: target lists or tags, a ``source`` naming the
contacts (mutually exclusive kinds), and an optional ``exclude``. The task walks the source's
contacts in row-id order, one batch per transaction, and writes or deletes the links set-wise;
the checkpoint is the last contact row id done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Model, Q
from django.utils import timezone

from apps.v3.account.models import Account
from apps.v3.bulk import writes as bulk
from apps.v3.bulk.runner import Job, Plan, walk_contacts
from apps.v3.bulk.sources import (
    CONTACTS,
    LISTS,
    TAGS,
    Kind,
    check_engagement,
    one_source,
    resolve,
    resolve_segment,
    source_contacts,
)
from apps.v3.contacts.models import Contact, ListMembership, PermissionToSend, Tagging
from apps.v3.gate.errors import bad_request

# A contact may be on 50 lists and carry 50 tags (the contact resource's limits).
MAX_LINKS = 50
# About 10,000 link rows a batch: one multi-row INSERT or DELETE that commits in well under a
# second; with 50 targets that is 200 contacts a batch, with one target 10,000.
LINKS_PER_BATCH = 10_000
MAX_SOURCE_IDS = {"contact_ids": 500, "list_ids": 50, "tag_ids": 50}
SOURCE_KINDS = {"contact_ids": CONTACTS, "list_ids": LISTS, "tag_ids": TAGS}
# Sources after which ``exclude`` may name contacts to leave out.
EXCLUDABLE = ("all_active_contacts", "list_ids")


@dataclass(frozen=True)
class LinkKind:
    """Lists or tags: the link model, its target column, and what a target must be to count."""

    model: type[Model]
    target_field: str
    target: Kind
    live_target: Q

    @property
    def target_fk(self) -> str:
        """The target's id column."""
        return f"{self.target_field}_id"


LIST_LINKS = LinkKind(ListMembership, "contact_list", LISTS, Q(contact_list__deleted_at__isnull=True))
# A list or tag DELETE hides its target at once and removes the links later: until then they
# must not count toward a contact's limit.
TAG_LINKS = LinkKind(Tagging, "tag", TAGS, Q(tag__deleted_at__isnull=True))


def read_source(
    account: Account, body: dict[str, Any], allowed: tuple[str, ...], *, strict: bool
) -> tuple[dict[str, Any], list[str]]:
    """The request's ``source`` and ``exclude``, resolved to row ids, and messages for missing ids."""
    source = body.get("source") or {}
    kind = one_source(source, allowed)
    stored: dict[str, Any] = {"kind": kind}
    errors: list[str] = []
    if kind in SOURCE_KINDS:
        stored["ids"], errors = resolve(
            account,
            SOURCE_KINDS[kind],
            source[kind],
            f"source.{kind}",
            limit=MAX_SOURCE_IDS[kind],
            strict=strict,
            required=True,
        )
    elif kind == "segment_id":
        stored["value"] = resolve_segment(account, source[kind], "source.segment_id")
    elif kind == "engagement_level":
        stored["value"] = check_engagement(source[kind], "source.engagement_level")
    excluded = (body.get("exclude") or {}).get("contact_ids") or []
    if excluded:
        if kind not in EXCLUDABLE:
            raise bad_request(f"exclude: applies only when the source is {' or '.join(EXCLUDABLE)}")
        stored["exclude"], _ = resolve(
            account, CONTACTS, excluded, "exclude.contact_ids", limit=None, strict=False, required=False
        )
    return stored, errors


def _reader(
    links: LinkKind, targets_field: str, allowed: tuple[str, ...], strict: bool
) -> Callable[[Account, dict[str, Any]], Plan]:
    def read(account: Account, body: dict[str, Any]) -> Plan:
        targets, errors = resolve(
            account,
            links.target,
            body.get(targets_field) or [],
            targets_field,
            limit=MAX_LINKS,
            strict=strict,
            required=True,
        )
        source, source_errors = read_source(account, body, allowed, strict=strict)
        counts = {"list_count": len(targets)} if links is LIST_LINKS else {}
        return Plan(params={"targets": targets, "source": source}, errors=errors + source_errors, counts=counts)

    read.__doc__ = f"The checked body of a bulk {links.target.what} activity."
    return read


# add_list_memberships declares no 404: unknown ids are skipped and reported. The others declare it.
read_add_list_memberships = _reader(
    LIST_LINKS,
    "list_ids",
    ("list_ids", "contact_ids", "all_active_contacts", "tag_ids", "engagement_level", "segment_id"),
    strict=False,
)
read_remove_list_memberships = _reader(
    LIST_LINKS,
    "list_ids",
    ("list_ids", "contact_ids", "all_active_contacts", "tag_ids", "engagement_level"),
    strict=True,
)
read_taggings = _reader(
    TAG_LINKS, "tag_ids", ("contact_ids", "list_ids", "tag_ids", "all_active_contacts", "new_subscriber"), strict=True
)


def _live_targets(job: Job, links: LinkKind) -> list[int]:
    """Targets still there when the task runs (a list deleted meanwhile is skipped)."""
    kind = links.target
    rows = kind.model._default_manager.filter(
        kind.live, account_id=job.activity.account_id, pk__in=job.params["targets"]
    )
    return sorted(rows.values_list("pk", flat=True))


def _add(job: Job, links: LinkKind, pks: list[int], targets: list[int]) -> None:
    """Link every contact of the batch to every target, but for contacts that would pass 50."""
    # Locked for the batch and read again: a DELETE of a target hides it either before this batch
    # (it is skipped) or after the batch commits (its purge, which starts later, removes these links).
    # Otherwise links written after the purge would stay on the hidden list or tag for good.
    kind = links.target
    locked = kind.model._default_manager.select_for_update().filter(kind.live, pk__in=targets).order_by("pk")
    targets = list(locked.values_list("pk", flat=True))  # in pk order, so two batches lock alike
    if not targets:
        return
    full = dict(
        links.model._default_manager.filter(links.live_target, contact_id__in=pks)
        .exclude(**{f"{links.target_fk}__in": targets})
        .values("contact_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=MAX_LINKS - len(targets))
        .values_list("contact_id", "n")
    )
    if full:
        names = dict(Contact.objects.filter(pk__in=full).values_list("pk", "contact_id"))
        job.add_errors(
            f"contact {names[pk]}: not added, a contact has at most {MAX_LINKS} {links.target.what}s"
            for pk in sorted(full)
        )
    now = timezone.now()
    bulk.upsert(
        links.model,
        ("contact_id", links.target_fk, "created_at"),
        [(pk, target, now) for pk in pks if pk not in full for target in targets],
        conflict=("contact", links.target_field),  # already linked: left as it is
    )


def _remove(job: Job, links: LinkKind, pks: list[int], targets: list[int]) -> None:
    """Unlink the batch's contacts from the targets."""
    links.model._default_manager.filter(contact_id__in=pks, **{f"{links.target_fk}__in": targets}).delete()


def _runner(links: LinkKind, add: bool) -> Callable[[Job], None]:
    def run(job: Job) -> None:
        targets = _live_targets(job, links)
        missing = len(job.params["targets"]) - len(targets)
        if missing and job.checkpoint == 0 and job.activity.items_completed_count is None:
            job.add_error(
                f"{missing} target {links.target.what}s were deleted before the activity ran and were skipped."
            )
        contacts = source_contacts(job.activity.account_id, job.params["source"])
        if add and links is LIST_LINKS:
            # Unsubscribed contacts cannot be put on lists.
            contacts = contacts.exclude(permission_to_send=PermissionToSend.UNSUBSCRIBED)
        step = _add if add else _remove
        walk_contacts(
            job,
            contacts if targets else contacts.none(),
            max(1, LINKS_PER_BATCH // max(1, len(targets))),
            lambda batch: step(job, links, batch, targets),
        )

    run.__doc__ = f"{'Add' if add else 'Remove'} {links.target.what}s for the source's contacts, batch by batch."
    return run


run_add_list_memberships = _runner(LIST_LINKS, add=True)
run_remove_list_memberships = _runner(LIST_LINKS, add=False)
run_add_taggings = _runner(TAG_LINKS, add=True)
run_remove_taggings = _runner(TAG_LINKS, add=False)
