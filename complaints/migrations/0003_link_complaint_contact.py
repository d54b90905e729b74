"""Complaint.contact_id (a plain integer) becomes a nullable ForeignKey to clients.Contact.

The column keeps its name (`contact_id`) and its values: the field is renamed to `contact` and
then altered to a ForeignKey, which adds the constraint. Ids that point at no contact (a contact
deleted while the link was a plain integer) are cleared first, or the constraint could not be
created; on the way back the values stay as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


def clear_dangling_contact_ids(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Contact = apps.get_model("clients", "Contact")
    db = schema_editor.connection.alias
    Complaint._base_manager.using(db).filter(contact_id__isnull=False).exclude(
        contact_id__in=Contact._base_manager.using(db).values("pk")
    ).update(contact_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_cases_enterprises_projects"),
        ("complaints", "0002_seed_kinds_and_categories"),
    ]

    operations = [
        migrations.RunPython(clear_dangling_contact_ids, migrations.RunPython.noop),
        migrations.RenameField(model_name="complaint", old_name="contact_id", new_name="contact"),
        migrations.AlterField(
            model_name="complaint",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="complaints",
                to="clients.contact",
                verbose_name="关联联系人",
            ),
        ),
    ]
