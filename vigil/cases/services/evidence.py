"""Storing evidence once and forever, and reading it under audit."""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import BinaryIO

import filetype
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.cases.models import Case, EvidenceItem
from vigil.cases.services.common import require_on_case, require_visible
from vigil.core import audit
from vigil.core.models import User
from vigil.errors import ContentRefused, InvalidInput, NotFound, TooLarge
from vigil.lib.evidence_store import EvidenceStore, StoredBlob, TooLargeError, is_sha256


@cache
def _store_for(root: str) -> EvidenceStore:
    return EvidenceStore(Path(root))


def evidence_store() -> EvidenceStore:
    """The store under the configured ``EVIDENCE_ROOT``."""
    return _store_for(str(settings.EVIDENCE_ROOT))


def sniff_media_type(head: bytes, declared: str, filename: str) -> str:
    """The media type from the content itself; the uploader's claim is only a fallback."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    text = head[:1024].lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text[:512]:
        return "text/html"
    guessed = mimetypes.guess_type(filename)[0] if filename else None
    declared = (declared or "").split(";")[0].strip().lower()
    return declared or guessed or "application/octet-stream"


def _refuse_if_referral_only(case: Case) -> None:
    if case.category.referral_only:
        raise ContentRefused(
            _(
                "Cases in the category %(category)s are referral-only: Vigil never stores such "
                "content. Record the file's SHA-256 and metadata instead, and refer it to the police."
            )
            % {"category": case.category}
        )


def store_content(*, actor: User, case: Case, chunks: Iterable[bytes]) -> StoredBlob:
    """Write content to the evidence store (no database row yet).

    Writing and fsyncing happen here, outside any transaction, so a caller that records
    several items in one transaction does not hold the database's write lock meanwhile.
    Content stored but never recorded is harmless: it is content-addressed and immutable.
    """
    require_on_case(actor, case, "evidence.add")
    _refuse_if_referral_only(case)
    limit = int(settings.EVIDENCE_MAX_BYTES)
    try:
        blob = evidence_store().put(chunks, max_bytes=limit)
    except TooLargeError as exc:
        raise TooLarge(
            _("The file is larger than the limit of %(mb).0f MB.") % {"mb": limit / 1024 / 1024},
            details={"limit_bytes": limit},
        ) from exc
    if blob.size == 0:
        raise InvalidInput(_("The file is empty."), details={"field": "file"})
    return blob


def record_evidence(
    *,
    actor: User,
    case: Case,
    blob: StoredBlob,
    filename: str = "",
    declared_media_type: str = "",
    source: str = "",
    note: str = "",
    captured_at: dt.datetime | None = None,
    collector: str = "",
    audited: bool = True,
) -> EvidenceItem:
    """The evidence row for content already in the store.

    ``audited=False`` is for callers whose own audit event lists every item's hash (a
    capture records all its artefacts in one ``capture.completed`` event).
    """
    with transaction.atomic():
        item = EvidenceItem.objects.create(
            case=case,
            sha256=blob.sha256,
            size=blob.size,
            media_type=sniff_media_type(blob.head, declared_media_type, filename),
            original_name=Path(filename).name[:255] if filename else "",
            captured_at=captured_at or timezone.now(),
            collector=collector or actor.get_username(),
            source=source[:2048],
            note=note,
            content_stored=True,
            created_by=actor,
        )
        if audited:
            audit.record(
                actor=actor,
                action="evidence.added",
                obj=item,
                case_id=case.pk,
                changes={
                    "sha256": [None, item.sha256],
                    "size": [None, item.size],
                    "media_type": [None, item.media_type],
                    "stored_new_file": [None, blob.newly_stored],
                },
            )
    return item


def add_evidence(
    *,
    actor: User,
    case: Case,
    chunks: Iterable[bytes],
    filename: str = "",
    declared_media_type: str = "",
    source: str = "",
    note: str = "",
    captured_at: dt.datetime | None = None,
    collector: str = "",
) -> EvidenceItem:
    """Store uploaded bytes (content-addressed, write-once) as evidence on ``case``."""
    blob = store_content(actor=actor, case=case, chunks=chunks)
    return record_evidence(
        actor=actor,
        case=case,
        blob=blob,
        filename=filename,
        declared_media_type=declared_media_type,
        source=source,
        note=note,
        captured_at=captured_at,
        collector=collector,
    )


def register_withheld_evidence(
    *,
    actor: User,
    case: Case,
    sha256: str,
    size: int,
    media_type: str,
    source: str = "",
    note: str = "",
    captured_at: dt.datetime | None = None,
) -> EvidenceItem:
    """Record hash and metadata of content that must not be stored (referral-only categories)."""
    require_on_case(actor, case, "evidence.add")
    sha256 = (sha256 or "").strip().lower()
    if not is_sha256(sha256):
        raise InvalidInput(_("Give the SHA-256 as 64 hexadecimal characters."), details={"field": "sha256"})
    if size < 0:
        raise InvalidInput(_("Size cannot be negative."), details={"field": "size"})
    if not case.category.referral_only:
        raise InvalidInput(_("Hash-only evidence is for referral-only categories; upload the file instead."))
    with transaction.atomic():
        item = EvidenceItem.objects.create(
            case=case,
            sha256=sha256,
            size=size,
            media_type=media_type or "application/octet-stream",
            captured_at=captured_at or timezone.now(),
            collector=actor.get_username(),
            source=source[:2048],
            note=note,
            content_stored=False,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="evidence.hash_recorded",
            obj=item,
            case_id=case.pk,
            changes={"sha256": [None, sha256], "size": [None, size]},
        )
    return item


def open_evidence(*, actor: User, item: EvidenceItem, purpose: str = "download") -> BinaryIO:
    """Open stored evidence for reading; every read is audited."""
    require_visible(actor, item.case)
    if not item.content_stored:
        raise NotFound(_("Only the hash of this item is recorded; its content is not stored."))
    store = evidence_store()
    if not store.exists(item.sha256):
        raise NotFound(_("The evidence file is missing from the store; tell the administrator."))
    with transaction.atomic():
        audit.record(actor=actor, action="evidence.read", obj=item, case_id=item.case_id, summary=purpose)
    return store.open(item.sha256)
