"""Write-once, content-addressed file store for evidence (pure Python).

Files live at ``<root>/<aa>/<bb>/<sha256>``; the same bytes are stored once. A write goes
to a temporary file first and is linked into place only when complete, so a process
killed mid-write never leaves a partial file under a content address.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class StoreError(Exception):
    """Base class for store failures."""


class TooLargeError(StoreError):
    """The content exceeded the size limit; nothing was stored."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"content is larger than the limit of {limit} bytes")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """What the store knows about one piece of content."""

    sha256: str
    size: int
    newly_stored: bool
    head: bytes  # the first bytes, for content sniffing


def is_sha256(value: str) -> bool:
    """True for a lower-case hex SHA-256 digest.

    >>> is_sha256("a" * 64), is_sha256("A" * 64), is_sha256("abc")
    (True, False, False)
    """
    return bool(_SHA256.match(value))


class EvidenceStore:
    """A directory of immutable blobs named by their SHA-256."""

    HEAD_BYTES = 4096

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """Where the blob with this digest lives."""
        if not is_sha256(sha256):
            raise StoreError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """True when the blob is stored."""
        return self.path_for(sha256).is_file()

    def put(self, chunks: Iterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Store the concatenated ``chunks`` unless they exceed ``max_bytes``."""
        tmp_dir = self.root / ".incoming"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp_path = tmp_dir / secrets.token_hex(16)
        digest, size, head = hashlib.sha256(), 0, bytearray()
        try:
            with tmp_path.open("xb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLargeError(max_bytes)
                    digest.update(chunk)
                    if len(head) < self.HEAD_BYTES:
                        head.extend(chunk[: self.HEAD_BYTES - len(head)])
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path_for(sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            newly_stored = self._link_once(tmp_path, final)
            return StoredBlob(sha256, size, newly_stored, bytes(head))
        finally:
            tmp_path.unlink(missing_ok=True)

    @staticmethod
    def _link_once(tmp_path: Path, final: Path) -> bool:
        # os.link refuses to overwrite, which makes "first writer wins" atomic even with
        # several workers storing the same bytes at once.
        try:
            os.link(tmp_path, final)
        except FileExistsError:
            return False
        final.chmod(0o444)
        return True

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored blob for reading."""
        return self.path_for(sha256).open("rb")

    def verify(self, sha256: str) -> bool:
        """Recompute the digest of a stored blob; False if missing or altered."""
        path = self.path_for(sha256)
        if not path.is_file():
            return False
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256
