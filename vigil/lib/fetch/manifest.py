"""The signed capture manifest: what was captured, its hashes, when, by whom, with what.

The manifest is JSON ``{"manifest": {...}, "signature": {...}}``. The signature is
Ed25519 over the *canonical* form of the ``manifest`` member: UTF-8 JSON with keys
sorted, no insignificant white space, non-ASCII characters as they are
(``json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``).
Anyone holding the deployment's public key can check it with :func:`verify` (or any
Ed25519 implementation), and then check each artefact's SHA-256.

>>> key = generate_key()
>>> signed = sign({"url": "http://x.example/", "artefacts": []}, key)
>>> verify(signed, trusted_public_key=public_key_b64(key)).ok
True
>>> verify(signed.replace(b"x.example", b"y.example")).problems
('the signature does not match the manifest',)
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "FORMAT",
    "Verification",
    "canonical_json",
    "generate_key",
    "key_id",
    "load_or_create_key",
    "public_key_b64",
    "public_key_pem",
    "sign",
    "verify",
]

FORMAT = "vigil-capture-manifest/1"
ALGORITHM = "Ed25519"
CANONICAL = "JSON, keys sorted, separators (',', ':'), UTF-8, non-ASCII unescaped"


def canonical_json(value: Any) -> bytes:
    """The bytes the signature covers.

    >>> canonical_json({"b": 1, "a": "ệ"})
    b'{"a":"\\xe1\\xbb\\x87","b":1}'
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def generate_key() -> Ed25519PrivateKey:
    """A new signing key."""
    return Ed25519PrivateKey.generate()


def _raw_public(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The 32-byte public key in base64 (what the manifest and the capture page show)."""
    return base64.b64encode(_raw_public(key)).decode("ascii")


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as PEM (SubjectPublicKeyInfo), for openssl and other tools."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short name for a key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(_raw_public(key)).hexdigest()[:16]


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """Load the signing key, creating it (mode 0600) the first time; safe against two creators."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = generate_key().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)  # first creator wins; the others load its key
        finally:
            tmp.unlink(missing_ok=True)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def sign(manifest: Mapping[str, Any], key: Ed25519PrivateKey) -> bytes:
    """The signed manifest file (pretty JSON; the signature covers the canonical form)."""
    body = dict(manifest)
    signature = key.sign(canonical_json(body))
    document = {
        "manifest": body,
        "signature": {
            "algorithm": ALGORITHM,
            "public_key": public_key_b64(key),
            "key_id": key_id(key),
            "signed_bytes": CANONICAL + " of the 'manifest' member",
            "value": base64.b64encode(signature).decode("ascii"),
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking a manifest's signature (artefacts are checked by the caller)."""

    ok: bool
    manifest: dict[str, Any]
    public_key: str
    key_id: str
    problems: tuple[str, ...]


def _fail(problem: str, manifest: dict[str, Any] | None = None, public_key: str = "") -> Verification:
    return Verification(False, manifest or {}, public_key, "", (problem,))


def verify(data: bytes, *, trusted_public_key: str | None = None) -> Verification:
    """Check the signature; with ``trusted_public_key`` also that the right key made it."""
    try:
        document = json.loads(data.decode("utf-8"))
        manifest = document["manifest"]
        signature = document["signature"]
        if not isinstance(manifest, dict) or not isinstance(signature, dict):
            raise TypeError("manifest and signature must be objects")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        return _fail(f"not a signed manifest ({exc})")
    if signature.get("algorithm") != ALGORITHM:
        return _fail(f"unknown signature algorithm {signature.get('algorithm')!r}", manifest)
    public_text = str(signature.get("public_key", ""))
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_text, validate=True))
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
    except (ValueError, binascii.Error) as exc:
        return _fail(f"malformed key or signature ({exc})", manifest, public_text)
    problems: list[str] = []
    if trusted_public_key is not None and trusted_public_key.strip() != public_text:
        problems.append("signed with a different key than the one trusted")
    try:
        public.verify(value, canonical_json(manifest))
    except InvalidSignature:
        problems.append("the signature does not match the manifest")
    return Verification(not problems, manifest, public_text, key_id(public), tuple(problems))
