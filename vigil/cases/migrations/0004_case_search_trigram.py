"""On PostgreSQL, a trigram index makes the case search (``LIKE '%word%'``) use an index.

pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner may create it.
SQLite has no such index; its scan stays fast enough at provincial scale.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS case_search_trgm_idx ON cases_case USING gin (search_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_search_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_evidence_guard")]
    operations = [migrations.RunPython(create, drop)]
