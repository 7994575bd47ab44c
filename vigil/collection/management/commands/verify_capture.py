"""``vigil verify-capture MANIFEST``: check a capture manifest's signature and its artefacts' hashes."""

from __future__ import annotations

import hashlib
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vigil.lib.evidence_store import EvidenceStore, is_sha256
from vigil.lib.fetch import manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Verify a capture manifest: the Ed25519 signature, the signing key, and the SHA-256 of every "
        "artefact (from --artefacts DIR, or from this deployment's evidence store). "
        "Exit status 1 on any problem."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("manifest", type=Path, help="the manifest.json file")
        parser.add_argument(
            "--artefacts",
            type=Path,
            help="directory holding the downloaded artefacts (named capture-<id>-<name> or <name>)",
        )
        parser.add_argument(
            "--public-key", help="the trusted public key (base64); default: this deployment's"
        )
        parser.add_argument(
            "--no-store", action="store_true", help="do not look artefacts up in the evidence store"
        )

    def _trusted_key(self, given: str | None) -> str | None:
        if given:
            return given.strip()
        key_file = Path(settings.VIGIL_CAPTURE_SIGNING_KEY_FILE)
        if key_file.exists():
            return manifest.public_key_b64(manifest.load_or_create_key(key_file))
        return None

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["manifest"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        trusted = self._trusted_key(options["public_key"])
        result = manifest.verify(path.read_bytes(), trusted_public_key=trusted)
        problems = list(result.problems)
        self.stdout.write(f"manifest: {path}")
        self.stdout.write(f"signed by key {result.key_id or '?'} ({result.public_key or '?'})")
        if trusted is None:
            self.stdout.write(
                "note: no trusted key given; the signature was checked against the key in the file"
            )
        body = result.manifest
        capture = body.get("capture", {}) if isinstance(body, dict) else {}
        self.stdout.write(
            f"capture #{capture.get('id')} of {capture.get('url')} for case {capture.get('case')}, "
            f"{capture.get('started_at')} – {capture.get('finished_at')}, by {body.get('collector')}"
        )
        store = None if options["no_store"] else EvidenceStore(Path(settings.EVIDENCE_ROOT))
        for artefact in body.get("artefacts", []) if isinstance(body, dict) else []:
            name, expected = str(artefact.get("name")), str(artefact.get("sha256"))
            status = self._check(name, expected, capture.get("id"), options["artefacts"], store)
            self.stdout.write(f"  {status:9} {name} {expected}")
            if status != "ok":
                problems.append(f"{name}: {status}")
        if problems:
            for problem in problems:
                self.stderr.write(f"PROBLEM: {problem}")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("verified: signature and every artefact match"))

    @staticmethod
    def _check(
        name: str, expected: str, capture_id: Any, directory: Path | None, store: EvidenceStore | None
    ) -> str:
        if directory is not None:
            for candidate in (directory / f"capture-{capture_id}-{name}", directory / name):
                if candidate.is_file():
                    return "ok" if _sha256(candidate) == expected else "MISMATCH"
            return "MISSING"
        if store is not None and is_sha256(expected):
            if not store.exists(expected):
                return "MISSING"
            return "ok" if store.verify(expected) else "MISMATCH"
        return "MISSING"
