"""Triggers that refuse UPDATE and DELETE on the audit trail (see vigil.core.guards)."""

from django.db import migrations

from vigil.core import guards


def install(apps, schema_editor):
    guards.install(schema_editor.connection, [guards.AUDIT_GUARD])


def remove(apps, schema_editor):
    guards.remove(schema_editor.connection, [guards.AUDIT_GUARD])


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
