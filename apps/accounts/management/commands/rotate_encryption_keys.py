"""``manage.py rotate_encryption_keys``: re-encrypt every stored secret with the newest key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts import crypto
from apps.accounts.models import Connection

# Rows re-encrypted per transaction: each batch is locked only while it is rewritten, so token
# refreshes running meanwhile wait briefly instead of for the whole table.
BATCH_SIZE = 200


class Command(BaseCommand):
    help = (
        "Re-encrypt stored OAuth tokens with the first key of FIELD_ENCRYPTION_KEYS. Run after putting a "
        "new key first; once it has finished, the older keys can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    Connection.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", "token_ciphertext")[:BATCH_SIZE]
                )
                for connection in batch:
                    connection.token_ciphertext = crypto.rotate(connection.token_ciphertext)
                Connection.objects.bulk_update(batch, ["token_ciphertext"])
            if not batch:
                break
            rotated += len(batch)
            last_pk = batch[-1].pk
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} connection token(s) with the newest key."))
