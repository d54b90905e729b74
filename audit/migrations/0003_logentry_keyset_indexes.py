"""Indexes on django-auditlog's table for the auditor workspace's keyset pages (filter, then id desc)."""

from django.db import migrations

INDEXES = [
    ("audit_logentry_actor_id_idx", "(actor_id, id)"),
    ("audit_logentry_object_id_idx", "(content_type_id, object_pk, id)"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_internal_audits_seals_anomalies"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[f"CREATE INDEX IF NOT EXISTS {name} ON auditlog_logentry {cols}" for name, cols in INDEXES],
            reverse_sql=[f"DROP INDEX IF EXISTS {name}" for name, _cols in INDEXES],
        )
    ]
