"""Drop four single-column indexes on the access trail that composite indexes already serve.

Every read of personal data (a detail view, a reveal, an export, a self-service page view) writes
one AccessEvent and one AccessSubject per person, and each write pays for every index:

- accessevent (user_id): leading column of access_user_at_idx (user_id, at);
- accessevent (content_type_id): leading column of access_object_idx (content_type_id, object_id);
- accesssubject (event_id): leading column of access_subject_unique (event_id, contact_id);
- accesssubject (contact_id): leading column of access_subject_contact_event_idx (contact_id,
  event_id) (0004) and access_subject_uses_idx (contact_id, action, at) (0005).

The composites serve the same lookups, the foreign-key checks and the cascades. Only the
indexes are dropped (state: the fields' ``db_index=False``): a plain AlterField would also drop and
re-add the foreign keys, which re-validates every row of a table that holds millions. Reversible.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {  # Django's names for the fields' db_index indexes (the same on every backend)
    "audit_accessevent_content_type_id_a0b36516": ("audit_accessevent", "content_type_id"),
    "audit_accessevent_user_id_368a285a": ("audit_accessevent", "user_id"),
    "audit_accesssubject_contact_id_b71b2aac": ("audit_accesssubject", "contact_id"),
    "audit_accesssubject_event_id_d89fffcf": ("audit_accesssubject", "event_id"),
}
DROP = [f"DROP INDEX IF EXISTS {name}" for name in INDEXES]
CREATE = [f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})" for name, (table, column) in INDEXES.items()]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_drop_redundant_logentry_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="content_type",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="contenttypes.contenttype",
                verbose_name="对象类型",
            ),
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to=settings.AUTH_USER_MODEL,
                verbose_name="用户",
            ),
        ),
        migrations.AlterField(
            model_name="accesssubject",
            name="contact_id",
            field=models.BigIntegerField(verbose_name="联系人编号"),
        ),
        migrations.AlterField(
            model_name="accesssubject",
            name="event",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="subjects",
                to="audit.accessevent",
            ),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(DROP, reverse_sql=CREATE)],
            state_operations=state_operations,
        )
    ]
