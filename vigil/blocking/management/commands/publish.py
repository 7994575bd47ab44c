"""``vigil publish``: rebuild the snapshot and bring every DNS target up to date now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigil.blocking import services


class Command(BaseCommand):
    help = "Rebuild the blocklist snapshot and publish to every DNS target."

    def handle(self, *args: Any, **options: Any) -> None:
        for key, value in services.reconcile().items():
            self.stdout.write(f"{key}: {value}")
