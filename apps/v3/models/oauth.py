"""Bookkeeping the authorization server needs beyond django-oauth-toolkit's own tables."""

from __future__ import annotations

from django.db import models


class CodeExchange(models.Model):
    """Which access token an authorization code was exchanged for, so a replay can revoke it."""

    code_digest = models.CharField(max_length=64, db_index=True)
    # Not a foreign key: the token row may be revoked (deleted) while this record must remain.
    access_token_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"code {self.code_digest[:8]} -> token {self.access_token_id}"
