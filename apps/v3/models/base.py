"""Abstract bases shared by the service's models."""

from __future__ import annotations

from django.db import models


class TimestampedModel(models.Model):
    """Adds ``created_at`` and ``updated_at``, which most V3 resources report."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
