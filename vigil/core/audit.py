"""Writing and verifying the tamper-evident audit trail.

Every service calls :func:`record` inside its own transaction, so a change and its
event are committed together or not at all.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from vigil.core.models import AuditChainHead, AuditEvent, User
from vigil.lib.auditchain import GENESIS_HASH, ChainRow, ChainVerdict, event_hash, verify_chain

SYSTEM_ACTOR = "system"


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Where the current action comes from (set per request by middleware)."""

    source_ip: str | None = None


_NO_REQUEST = RequestContext()
_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "vigil_audit_context",
    default=_NO_REQUEST,
)


def set_context(context: RequestContext) -> contextvars.Token[RequestContext]:
    """Bind the request context for the current thread or task."""
    return _context.set(context)


def reset_context(token: contextvars.Token[RequestContext]) -> None:
    """Undo :func:`set_context`."""
    _context.reset(token)


def jsonable(value: Any) -> Any:
    """A JSON-safe, deterministic form of a field value for the audit record."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def snapshot(instance: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``instance`` (foreign keys as ids), ready for :func:`diff`."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = jsonable(getattr(instance, attname))
    return values


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value changed."""
    before = before or {}
    after = after or {}
    changed: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = jsonable(before.get(key)), jsonable(after.get(key))
        if old != new:
            changed[key] = [old, new]
    return changed


def _payload(event: AuditEvent) -> dict[str, Any]:
    """The fields the hash covers, in the form they read back from the database."""
    return {
        "seq": event.seq,
        "at": jsonable(event.at),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "case_id": event.case_id,
        "summary": event.summary,
        "changes": event.changes,
        "source_ip": event.source_ip,
    }


def _lock_head() -> tuple[int, str]:
    """The chain head's (seq, hash), its row locked until the transaction ends.

    SQLite has no row locks: there every transaction begins IMMEDIATE (settings), so it
    already holds the database's write lock. Plain SQL here and in :func:`_move_head`:
    every audited write passes through both, some while holding that lock, and the ORM's
    query building costs more than the statements themselves.
    """
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {table} WHERE id = 1{lock}")  # noqa: S608 - no input
        row = cursor.fetchone()
    if row is None:
        raise AuditChainHead.DoesNotExist("The audit chain has no head row: run the migrations.")
    return int(row[0]), str(row[1])


def _move_head(seq: int, hash_: str) -> None:
    """Point the chain head at the newest event (its row is locked by :func:`_lock_head`)."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET seq = %s, hash = %s WHERE id = 1", [seq, hash_])  # noqa: S608


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    case_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    summary: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    # No savepoint: an error here must undo the caller's whole transaction anyway, and the
    # public desk appends an event per commit while holding the database's write lock.
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _lock_head()
        event = AuditEvent(
            seq=seq + 1,
            # Microsecond precision survives both SQLite and PostgreSQL, so the hash
            # computed now equals the one recomputed from the stored row.
            at=timezone.now().astimezone(dt.UTC),
            actor=actor,
            actor_label=actor.get_username() if actor is not None else SYSTEM_ACTOR,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:300],
            case_id=case_id,
            summary=summary,
            changes=jsonable(dict(changes or {})),
            source_ip=_context.get().source_ip,
            prev_hash=prev_hash,
        )
        event.hash = event_hash(prev_hash, _payload(event))
        event.save(force_insert=True)
        _move_head(event.seq, event.hash)
    return event


def _rows(batch_size: int) -> Iterator[ChainRow]:
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        yield ChainRow(event.seq, event.prev_hash, event.hash, _payload(event))


def verify(*, batch_size: int = 2000) -> ChainVerdict:
    """Recompute the whole chain from the stored rows and compare it with the head."""
    head = AuditChainHead.objects.filter(pk=1).first()
    expected = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
    return verify_chain(_rows(batch_size), expected_head=expected)


def head() -> tuple[int, str]:
    """The newest event's (seq, hash): publish it elsewhere to anchor the chain in time."""
    row = AuditChainHead.objects.get(pk=1)
    return row.seq, row.hash
