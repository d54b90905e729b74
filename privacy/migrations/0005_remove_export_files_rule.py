"""Remove the seeded "export-files" retention rule: no engine category purges export files yet.

The rule (seeded by 0004) named the category of a model that does not exist (the stored copies of
data-subject requests, [H]); its placeholder category in the engine has been removed, so the rule
did nothing but appear on the public policy page. [H] seeds it again with its model. Reversible:
the reverse puts the row back as 0004 seeded it.
"""

import importlib

from django.db import migrations

CODE = "export-files"


def remove(apps, schema_editor):
    apps.get_model("privacy", "RetentionRule").objects.filter(code=CODE).delete()


def restore(apps, schema_editor):
    seeded = importlib.import_module("privacy.migrations.0004_seed_retention_rules")
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for order, (code, name, category, clock, days, action, basis) in enumerate(seeded.RULES, start=1):
        if code == CODE:
            RetentionRule.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "category": category,
                    "clock_event": clock,
                    "period_days": days,
                    "action": action,
                    "legal_basis": basis,
                    "order": order * 10,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_seed_retention_rules")]

    operations = [migrations.RunPython(remove, restore)]
