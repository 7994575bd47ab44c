"""``vigil capture-key``: print the public key that signs capture manifests (created if missing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigil.collection.services import public_key


class Command(BaseCommand):
    help = "Print the Ed25519 public key that signs capture manifests, for anyone who verifies them."

    def handle(self, *args: Any, **options: Any) -> None:
        b64, pem, key_id = public_key()
        self.stdout.write(f"key id: {key_id}\nbase64: {b64}\n{pem}", ending="")
