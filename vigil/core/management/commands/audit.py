"""``vigil audit verify`` recomputes the hash chain; ``vigil audit head`` prints the newest hash."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vigil.core import audit


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or print its head for external anchoring."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="recompute every hash and name the first broken event")
        sub.add_parser("head", help="print the newest event's number and hash")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "head":
            seq, digest = audit.head()
            self.stdout.write(f"{seq} {digest}")
            return
        verdict = audit.verify()
        if verdict.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"audit trail intact: {verdict.checked} events, "
                    f"head #{verdict.head_seq} {verdict.head_hash}"
                )
            )
            return
        raise CommandError(
            f"audit trail BROKEN at event #{verdict.first_broken_seq}: {verdict.reason} "
            f"({verdict.checked} events before it verified)"
        )
