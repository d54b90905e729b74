"""Trigram index on enterprise names for fuzzy search (PostgreSQL only; SQLite skips it)."""

from django.db import migrations


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS enterprise_name_trgm_idx ON clients_enterprise USING gin (name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS enterprise_name_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_cases_enterprises_projects")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
