"""The retention rule for in-app notifications (period from NOTIFICATION_KEEP_DAYS when first created)."""

from django.db import migrations

from zhaoshang.core.retention import seed_rule, unseed_rule


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_notifications"),
        ("privacy", "0006_notifications_retention_category"),
    ]

    operations = [migrations.RunPython(seed_rule, unseed_rule)]
