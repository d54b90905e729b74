"""Carry each access event's action and time onto its AccessSubject rows, indexed per contact.

The self-service page ("uses of your data", privacy.selfservice._uses) asks, for one contact, for
the latest staff exports/shares/copies and the staff views/reveals by month. Reading
(contact_id, action, at) from one index answers that without touching the person's own page
views (most of their rows), so its cost no longer grows with how often they open the page.
audit.record_access writes both columns with every subject row; existing rows are filled here
from their event. Seals are unaffected: they fold only the subjects' contact ids into the digest.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def carry_over(apps, schema_editor):
    AccessEvent = apps.get_model("audit", "AccessEvent")
    AccessSubject = apps.get_model("audit", "AccessSubject")
    event = AccessEvent.objects.filter(pk=OuterRef("event_id"))
    AccessSubject.objects.update(action=Subquery(event.values("action")[:1]), at=Subquery(event.values("at")[:1]))


def clear(apps, schema_editor):
    pass  # the columns are dropped by reversing AddField


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_subject_uses_lookup_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesssubject",
            name="action",
            field=models.CharField(blank=True, default="", max_length=30, verbose_name="动作"),
        ),
        migrations.AddField(
            model_name="accesssubject",
            name="at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="时间"),
        ),
        migrations.RunPython(carry_over, clear),
        migrations.AddIndex(
            model_name="accesssubject",
            index=models.Index(fields=["contact_id", "action", "at"], name="access_subject_uses_idx"),
        ),
    ]
