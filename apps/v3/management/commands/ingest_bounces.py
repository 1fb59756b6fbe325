"""``manage.py ingest_bounces FILE...``: record the bounces that delivery-status notifications report."""

from __future__ import annotations

import email
import sys
from email import policy
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.v3.campaigns.tracking.dsn import ingest_report


class Command(BaseCommand):
    help = (
        "Read bounce reports (RFC 3464 delivery-status notifications, one message per file, as "
        "saved from the sender's mailbox) and record a bounce for each failed copy; hard bounces "
        "make the address undeliverable."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="a bounce report (.eml), or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        recorded = unmatched = 0
        for name in options["files"]:
            try:
                if name == "-":
                    report = email.message_from_binary_file(sys.stdin.buffer, policy=policy.compat32)
                else:
                    with open(name, "rb") as handle:
                        report = email.message_from_binary_file(handle, policy=policy.compat32)
            except OSError as exc:
                raise CommandError(f"{name}: cannot read: {exc.strerror}") from exc
            outcome = ingest_report(report)
            recorded += len(outcome.recorded)
            unmatched += len(outcome.unmatched)
            for address in outcome.recorded:
                self.stdout.write(f"{name}: bounce recorded for {address}")
            for address in outcome.unmatched:
                self.stdout.write(f"{name}: {address} failed, but matches no copy sent to it")
            if not outcome.recorded and not outcome.unmatched:
                self.stdout.write(f"{name}: no permanent failure reported")
        self.stdout.write(f"{recorded} bounce(s) recorded, {unmatched} failed address(es) unmatched")
