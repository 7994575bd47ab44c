"""``vigil import-list FILE``: a list of domains, URLs or IPs becomes draft decisions in bulk."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vigil.blocking.imports import import_list
from vigil.cases.lookups import category_by_code, legal_basis_by_code, user_by_username
from vigil.errors import VigilError


class Command(BaseCommand):
    help = "Import a list (plain, hosts, RPZ or CSV) as draft decisions for an approver to approve."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the list; - for standard input")
        parser.add_argument("--category", required=True, help="category code, e.g. phishing")
        parser.add_argument("--legal-basis", required=True, help="legal basis code, e.g. blhs-290")
        parser.add_argument(
            "--source", required=True, help="where the list comes from (re-imports match on it)"
        )
        parser.add_argument("--as", dest="actor", required=True, help="user name of the analyst importing")
        parser.add_argument(
            "--action", default="dns_block", help="dns_block (default), takedown_request or public_warning"
        )
        parser.add_argument("--format", default=None, choices=["plain", "hosts", "rpz", "csv"])

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        content = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        try:
            report = import_list(
                actor=user_by_username(options["actor"]),
                content=content,
                source=options["source"],
                category=category_by_code(options["category"]),
                legal_basis=legal_basis_by_code(options["legal_basis"]),
                action=options["action"],
                fmt=options["format"],
                progress=self._progress,
            )
        except VigilError as exc:
            raise CommandError(exc.message) from exc
        sys.stderr.write("\n")
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        self.stdout.write(
            f"case {report.case_code}: {report.entries} entries, {report.drafted} new drafts, "
            f"{report.unchanged} unchanged, {report.routed_to_takedown} URLs routed to takedown, "
            f"{len(report.errors)} errors"
        )
