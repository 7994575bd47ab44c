"""``vigil check``: read URLs, domains or IPs from standard input, print their verdicts."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from vigil.blocking.checking import check_value
from vigil.blocking.services import current_snapshot


class Command(BaseCommand):
    help = "For each line on standard input print: value<TAB>blocked|allowed|none<TAB>decision-ids"

    def handle(self, *args: Any, **options: Any) -> None:
        snapshot = current_snapshot()
        for line in sys.stdin:
            value = line.strip()
            if not value:
                continue
            result = check_value(value, snapshot)
            ids = ",".join(str(ref["decision_id"]) for ref in result["decisions"] if ref["decision_id"])
            self.stdout.write(f"{value}\t{result['status']}\t{ids or '-'}")
