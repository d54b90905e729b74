"""Drop four of the twelve indexes on django-auditlog's table that no query needs.

Every audit entry written pays for each index, and so does every entry the retention purge
redacts (a rewrite of an entry whose page has no room updates all of them). These four are
redundant:

- ``(actor_id)`` and ``(content_type_id)``: leading columns of ``audit_logentry_actor_id_idx``
  ``(actor_id, id)`` and ``audit_logentry_object_id_idx`` ``(content_type_id, object_pk, id)``
  (0003), which serve the same lookups, the foreign-key checks and the workspace's keyset pages.
- the ``varchar_pattern_ops`` copies of ``(object_pk)`` and ``(cid)``: they serve only
  ``LIKE 'prefix%'``, which nothing runs (the workspace filters by equality, the admin has no
  search); the plain indexes on those columns stay.

PostgreSQL only (the pattern-ops copies exist only there); the reverse recreates them.
"""

from django.db import migrations

INDEXES = {
    "auditlog_logentry_actor_id_959271d2": "(actor_id)",
    "auditlog_logentry_content_type_id_75830218": "(content_type_id)",
    "auditlog_logentry_object_pk_6e3219c0_like": "(object_pk varchar_pattern_ops)",
    "auditlog_logentry_cid_9f467263_like": "(cid varchar_pattern_ops)",
}


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def recreate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON auditlog_logentry {columns}")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_subject_action_time_for_uses_lookup"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(drop, recreate)]
