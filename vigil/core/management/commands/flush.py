"""``flush`` that lifts the append-only guards while it empties the database.

Flushing deletes every row of every table by design (tests rely on it); the triggers
would otherwise make it fail. They are re-installed afterwards.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from vigil.core import guards


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        guards.remove(connection, guards.GUARDS.values())
        try:
            super().handle(**options)
        finally:
            guards.install(connection, guards.GUARDS.values())
            from vigil.core.seeding import ensure_chain_head

            ensure_chain_head()
