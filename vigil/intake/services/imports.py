"""Importing reports from a CSV or JSON file (staff UI), in the background, with a per-row error report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigil.core import audit, roles
from vigil.core.models import User
from vigil.errors import InvalidInput, VigilError
from vigil.indicators.choices import IndicatorKind
from vigil.intake.choices import Channel, ImportState
from vigil.intake.models import ImportJob
from vigil.intake.services.drafts import ReportDraft, ReportInvalid, prepare_report
from vigil.intake.services.screenshots import store as intake_store
from vigil.intake.services.submission import submit_many

MAX_FILE_BYTES = 20 * 1024 * 1024
CHUNK = 500
COLUMNS = ("kind", "value", "text", "description", "money_lost", "happened_on", "external_id", "indicators")
MAX_ERRORS = 5000
_KINDS = frozenset(IndicatorKind.values)


def _rows(raw: bytes, fmt: str) -> list[dict[str, Any]]:
    """The file's rows as dicts (row numbers are 1-based data rows)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("The file is not UTF-8 text."), details={"field": "file"}) from exc
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                _("The file is not valid JSON (line %(line)s).") % {"line": exc.lineno},
                details={"field": "file"},
            ) from exc
        if isinstance(data, dict):
            data = data.get("items", data.get("reports"))
        if not isinstance(data, list):
            raise InvalidInput(_("The JSON file must hold a list of reports."), details={"field": "file"})
        return [row if isinstance(row, dict) else {"_invalid": row} for row in data]
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "kind" not in reader.fieldnames:
        raise InvalidInput(
            _("The CSV file needs a header row with at least the column kind (and value or text)."),
            details={"field": "file"},
        )
    return list(reader)


def detect_format(name: str, head: bytes) -> str:
    """json or csv, from the name and the first byte."""
    if Path(name).suffix.lower() == ".json" or head.lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def create_import(*, actor: User, name: str, data: bytes) -> ImportJob:
    """Check the file, keep it in the desk's store and queue the import."""
    roles.require(actor, "intake.triage")
    if not data:
        raise InvalidInput(_("The file is empty."), details={"field": "file"})
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(_("The file is larger than 20 MB; split it."), details={"field": "file"})
    fmt = detect_format(name, data[:64])
    rows = _rows(data, fmt)
    blob = intake_store().put([data], max_bytes=MAX_FILE_BYTES)
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=actor,
            file_sha256=blob.sha256,
            file_name=Path(name).name[:255] or "import",
            format=fmt,
            total_rows=len(rows),
        )
        audit.record(
            actor=actor,
            action="intake.import_queued",
            obj=job,
            changes={"file": [None, job.file_name], "rows": [None, len(rows)], "sha256": [None, blob.sha256]},
        )
        from vigil.intake.tasks import run_import

        transaction.on_commit(lambda: run_import.enqueue(job_id=job.pk))
    return job


def _indicators(value: Any) -> list[tuple[str | None, str]]:
    if isinstance(value, list):
        pairs = []
        for item in value:
            if isinstance(item, dict):
                pairs.append((item.get("type") or None, str(item.get("value", ""))))
            else:
                pairs.append((None, str(item)))
        return pairs
    # CSV: "phone:0912345678; url:https://…" or bare values separated by ";".
    pairs = []
    for part in str(value or "").split(";"):
        part = part.strip()
        if not part:
            continue
        kind, sep, rest = part.partition(":")
        known = kind.strip() in _KINDS
        pairs.append(
            (kind.strip(), rest.strip()) if sep and known and not rest.startswith("//") else (None, part)
        )
    return pairs


def _draft(row: dict[str, Any]) -> ReportDraft:
    if "_invalid" in row:
        raise ReportInvalid({"row": _("Each item must be an object with the report's fields.")})
    unknown = sorted(set(row) - set(COLUMNS) - {None})
    if unknown:
        raise ReportInvalid({"row": _("Unknown columns: %(c)s") % {"c": ", ".join(map(str, unknown))}})
    indicators = _indicators(row.get("indicators"))
    return prepare_report(
        kind=str(row.get("kind") or "").strip(),
        value=str(row.get("value") or ""),
        text=str(row.get("text") or ""),
        description=str(row.get("description") or ""),
        money_lost=row.get("money_lost"),
        happened_on=row.get("happened_on"),
        indicators=indicators,
        external_id=str(row.get("external_id") or ""),
        extract=not indicators,
    )


def _chunks(rows: list[dict[str, Any]]) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    for start in range(0, len(rows), CHUNK):
        yield start, rows[start : start + CHUNK]


def run_import(job_id: int) -> ImportJob:
    """Process a queued import chunk by chunk, recording progress and every refused row."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.state not in (ImportState.QUEUED, ImportState.RUNNING):
        return job
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING)
    try:
        with intake_store().open(job.file_sha256) as handle:
            rows = _rows(handle.read(), job.format)
        errors: list[dict[str, Any]] = list(job.errors)
        for start, chunk in _chunks(rows):
            if start < job.processed_rows:
                continue  # a restarted worker resumes after the last committed chunk
            drafts = []
            for offset, row in enumerate(chunk):
                try:
                    drafts.append(_draft(row))
                except ReportInvalid as exc:
                    for field, message in exc.fields.items():
                        if len(errors) < MAX_ERRORS:
                            errors.append({"row": start + offset + 1, "field": field, "message": message})
            with transaction.atomic():
                submit_many(
                    drafts,
                    channel=Channel.IMPORT,
                    actor=job.created_by,
                    organisation=None,
                    summary=f"import #{job.pk} rows {start + 1}-{start + len(chunk)}",
                )
                job.processed_rows = start + len(chunk)
                job.accepted += len(drafts)
                job.errors = errors
                job.save(update_fields=["processed_rows", "accepted", "errors"])
        with transaction.atomic():
            job.state, job.finished_at = ImportState.DONE, timezone.now()
            job.save(update_fields=["state", "finished_at"])
            audit.record(
                actor=job.created_by,
                action="intake.import_done",
                obj=job,
                changes={
                    "accepted": [None, job.accepted],
                    "refused_rows": [None, len({e["row"] for e in errors})],
                },
            )
    except VigilError as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportState.FAILED, message=exc.message, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job
