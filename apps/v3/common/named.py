"""Actions every uniquely named, soft-deleted resource shares: check a name, save it, hide the row.

Lists, tags and segments name their resources uniquely among an account's live ones
(:class:`apps.v3.common.models.NamedResource`); each domain's service calls these with its own
queryset and its own error, since the spec words (and codes) each conflict differently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.v3.common.models import NamedResource
from apps.v3.common.text import text_problem
from apps.v3.gate.errors import V3Error, bad_request

MAX_NAME = 255  # the name column's size

Named = TypeVar("Named", bound=NamedResource)


def clean_name(value: str, field: str = "name", max_length: int = MAX_NAME) -> str:
    """A name as given (the schema made it a string), refused when blank, too long, or not storable text."""
    if not value.strip():
        raise bad_request(f"{field}: must not be blank")
    if len(value) > max_length:
        raise bad_request(f"{field}: longer than {max_length} characters")
    problem = text_problem(value)
    if problem:
        raise bad_request(f"{field}: {problem}")
    return value


def save_named(instance: Named, peers: QuerySet[Named], error: Callable[[], V3Error]) -> Named:
    """Save ``instance`` unless another of ``peers`` has its name; a save that loses a race raises too."""
    if peers.filter(name=instance.name).exclude(pk=instance.pk).exists():
        raise error()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # Two requests may pass the check together; the unique constraint decides, and the
        # loser gets the same answer as if it had come second.
        raise error() from None
    return instance


def rename(instance: Named, name: str, peers: QuerySet[Named], error: Callable[[], V3Error]) -> Named:
    """Give ``instance`` a new name unique among ``peers``."""
    instance.name = name
    return save_named(instance, peers, error)


def hide(live: QuerySet[Any], missing: Callable[[], V3Error], **lookup: Any) -> int:
    """Mark the live row ``lookup`` names deleted, so it leaves every listing at once; its row id.

    ``missing()`` is raised when no live row matches. The update is conditional, so of two
    concurrent deletes of one row only one finds it live.
    """
    now = timezone.now()
    changes: dict[str, Any] = {"deleted_at": now}
    if any(f.name == "updated_at" for f in live.model._meta.get_fields()):
        changes["updated_at"] = now
    pk = live.filter(**lookup).values_list("pk", flat=True).first()
    if pk is None or not live.filter(pk=pk).update(**changes):
        raise missing()
    return int(pk)
