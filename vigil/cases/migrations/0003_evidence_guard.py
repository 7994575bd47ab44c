"""Triggers that keep evidence rows write-once (see vigil.core.guards)."""

from django.db import migrations

from vigil.core import guards


def install(apps, schema_editor):
    guards.install(schema_editor.connection, [guards.EVIDENCE_GUARD])


def remove(apps, schema_editor):
    guards.remove(schema_editor.connection, [guards.EVIDENCE_GUARD])


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(install, remove)]
