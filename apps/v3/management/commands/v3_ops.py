"""``manage.py v3_ops``: how many spec operations have a route, and which do not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.v3.contract import operations
from apps.v3.contract.coverage import missing


class Command(BaseCommand):
    help = "Print implemented N/120 and the spec operations that have no route yet."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="only the count")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        total = len(operations())
        absent = missing()
        self.stdout.write(f"implemented {total - len(absent)}/{total}")
        if quiet:
            return
        by_tag: dict[str, list[str]] = {}
        for op in absent:
            by_tag.setdefault(op.tag, []).append(f"{op.method} {op.path} ({op.operation_id})")
        for tag, lines in by_tag.items():
            self.stdout.write(f"missing in {tag}:")
            for line in lines:
                self.stdout.write(f"  {line}")
