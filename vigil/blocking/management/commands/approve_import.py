"""``vigil approve-import CASE --as APPROVER``: approve an imported list's drafts in one act."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vigil.blocking.imports import approve_drafts
from vigil.cases.lookups import user_by_username, visible_case
from vigil.errors import VigilError


class Command(BaseCommand):
    help = "Approve every draft decision of a case together (four-eyes rules apply)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("case", help="case code, e.g. VL-2026-000123")
        parser.add_argument("--as", dest="actor", required=True, help="user name of the approver")
        parser.add_argument(
            "--confirm-shared-ip",
            action="store_true",
            help="also approve IP blocks on shared (CDN) addresses",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor = user_by_username(options["actor"])
            result = approve_drafts(
                actor=actor,
                case=visible_case(actor, options["case"]),
                confirm_shared_ip=options["confirm_shared_ip"],
            )
        except VigilError as exc:
            raise CommandError(exc.message) from exc
        for target in result.skipped_shared_ip:
            self.stderr.write(f"not approved (shared address, use --confirm-shared-ip): {target}")
        for line in result.skipped_policy:
            self.stderr.write(f"not approved: {line}")
        self.stdout.write(f"{result.approved} decisions approved and in force")
