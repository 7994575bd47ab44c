"""Database triggers that make append-only and write-once tables refuse changes.

The application never updates these rows; the triggers stop anyone else (a careless
script, a SQL console) from doing it silently. The hash chain still detects what a
database owner who drops the triggers might do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True, slots=True)
class Guard:
    """Refuse DELETE (and TRUNCATE) and UPDATE — of every column, or of the listed ones."""

    table: str
    message: str
    protected_columns: Sequence[str] = ()

    @property
    def name(self) -> str:
        return f"vigil_guard_{self.table}"


GUARDS: dict[str, Guard] = {}


def register(guard: Guard) -> Guard:
    """Declare a guard; migrations install it and ``flush`` lifts it temporarily."""
    GUARDS[guard.table] = guard
    return guard


def _sqlite_statements(guard: Guard) -> list[str]:
    update_of = f"OF {', '.join(guard.protected_columns)} " if guard.protected_columns else ""
    message = guard.message.replace("'", "''")
    return [
        f"CREATE TRIGGER IF NOT EXISTS {guard.name}_update BEFORE UPDATE {update_of}ON {guard.table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {guard.name}_delete BEFORE DELETE ON {guard.table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION vigil_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def _postgres_statements(guard: Guard) -> list[str]:
    update_of = f"OF {', '.join(guard.protected_columns)} " if guard.protected_columns else ""
    message = guard.message.replace("'", "''")
    return [
        _PG_FUNCTION,
        f"CREATE OR REPLACE TRIGGER {guard.name}_update BEFORE UPDATE {update_of}ON {guard.table} "
        f"FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change('{message}')",
        f"CREATE OR REPLACE TRIGGER {guard.name}_delete BEFORE DELETE ON {guard.table} "
        f"FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change('{message}')",
        f"CREATE OR REPLACE TRIGGER {guard.name}_truncate BEFORE TRUNCATE ON {guard.table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change('{message}')",
    ]


def install_sql(vendor: str, guard: Guard) -> list[str]:
    """The statements that install ``guard`` on this database vendor."""
    if vendor == "sqlite":
        return _sqlite_statements(guard)
    if vendor == "postgresql":
        return _postgres_statements(guard)
    raise NotImplementedError(f"no append-only guards for database vendor {vendor!r}")


def remove_sql(vendor: str, guard: Guard) -> list[str]:
    """The statements that remove ``guard``."""
    suffixes = ("update", "delete") if vendor == "sqlite" else ("update", "delete", "truncate")
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {guard.name}_{suffix}" for suffix in suffixes]
    return [f"DROP TRIGGER IF EXISTS {guard.name}_{suffix} ON {guard.table}" for suffix in suffixes]


def install(connection: BaseDatabaseWrapper, guards: Iterable[Guard]) -> None:
    """Create the triggers for ``guards`` on ``connection``."""
    with connection.cursor() as cursor:
        for guard in guards:
            for statement in install_sql(connection.vendor, guard):
                cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper, guards: Iterable[Guard]) -> None:
    """Drop the triggers for ``guards`` on ``connection``."""
    with connection.cursor() as cursor:
        for guard in guards:
            for statement in remove_sql(connection.vendor, guard):
                cursor.execute(statement)


AUDIT_GUARD = register(
    Guard("core_auditevent", "audit events are append-only: UPDATE and DELETE are refused")
)
EVIDENCE_GUARD = register(
    Guard(
        "cases_evidenceitem",
        "evidence is write-once: its content and provenance cannot be changed or deleted",
        protected_columns=(
            "sha256",
            "size",
            "media_type",
            "original_name",
            "captured_at",
            "collector",
            "source",
            "content_stored",
            "created_at",
            "created_by_id",
        ),
    )
)
