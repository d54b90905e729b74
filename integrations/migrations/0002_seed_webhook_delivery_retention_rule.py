"""The retention rule for webhook delivery records (period from WEBHOOK_DELIVERY_KEEP_DAYS when first created)."""

from django.db import migrations

from integrations.retention import seed_rule, unseed_rule


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_integrations_api_keys_webhooks"),
        ("privacy", "0011_webhook_deliveries_retention_category"),
    ]

    operations = [migrations.RunPython(seed_rule, unseed_rule)]
