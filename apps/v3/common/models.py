"""Abstract bases shared by the service's models."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q

Row = TypeVar("Row", bound=models.Model)


class TimestampedModel(models.Model):
    """Adds ``created_at`` and ``updated_at``, which most V3 resources report."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class NamedQuerySet(models.QuerySet[Row]):
    """Rows of a :class:`NamedResource`: ``.live()`` leaves out the ones whose deletion was accepted."""

    def live(self) -> NamedQuerySet[Row]:
        """Not deleted: what listings show and what names must be unique among."""
        return self.filter(deleted_at__isnull=True)

    def of(self, account: Any) -> NamedQuerySet[Row]:
        """The account's rows only: every V3 query is scoped to the token's account."""
        return self.filter(account=account)


def unique_live_name(constraint: str) -> models.UniqueConstraint:
    """The constraint each :class:`NamedResource` declares: its name unique in the account among live rows."""
    return models.UniqueConstraint(fields=["account", "name"], condition=Q(deleted_at__isnull=True), name=constraint)


class NamedResource(models.Model):
    """An account's resource named uniquely among its live peers, and soft-deleted by ``deleted_at``.

    Lists, tags and segments today; each declares its own account key (its related name), its id
    and the partial unique constraint on (account, name) among live rows (:func:`unique_live_name`).
    Deleting marks the row at once, so it leaves every listing while whatever hangs off it is
    removed in the background.
    """

    name = models.CharField(max_length=255)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = NamedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name
