"""``vigil export <format>``: write one blocklist export to a file or standard output."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vigil.blocking import services
from vigil.lib.exports.registry import exporters


class Command(BaseCommand):
    help = "Write a blocklist export: " + ", ".join(sorted(exporters.names()))

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("format", help="one of: " + ", ".join(sorted(exporters.names())))
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if fmt not in exporters.names():
            raise CommandError(f"unknown format {fmt!r}; known: {', '.join(sorted(exporters.names()))}")
        if options["output"]:
            target = Path(options["output"])
            partial = target.with_name(target.name + ".partial")
            with partial.open("w", encoding="utf-8") as out:
                stats = services.export(fmt, out)
            partial.replace(target)
            self.stderr.write(f"wrote {target}: {stats}")
        else:
            services.export(fmt, sys.stdout)
