"""Retention of webhook delivery records: the purge engine's category ``webhook_deliveries``.

Each call-back to an integration leaves a `WebhookDelivery` row (body, attempts, last error) so that
a failed delivery can be inspected and re-sent. Once delivered or given up, the row only documents
that a call-back happened; after the rule's period (clock: the row's creation) it is deleted. A row
still pending is never purged, whatever its age: its retries are not finished. Bodies hold ids, a
reference number and a status only (no personal value), so deletion is set-based with no audit
redaction; delete is the only action.

Registered with the engine from `IntegrationsConfig.ready` (integrations owns its records). The rule
row (`seed_rule`, a data migration) takes its period from settings.WEBHOOK_DELIVERY_KEEP_DAYS when it
is first created; afterwards it is adjusted in the admin console like every retention rule.
"""

from django.conf import settings

from privacy.retention.base import Category, register
from privacy.retention.models import RetentionCategory
from zhaoshang.core.db import any_of

WEBHOOK_DELIVERIES = RetentionCategory.WEBHOOK_DELIVERIES
RULE_CODE = "webhook-deliveries"


@register
class WebhookDeliveries(Category):
    """Delivered or failed call-backs created before the rule's cut-off."""

    code = WEBHOOK_DELIVERIES
    model_label = "integrations.WebhookDelivery"
    keyed = False  # no subject key: the row goes

    def _expired(self, rule, now, probe=False):
        model = self.model
        return model._base_manager.filter(created_at__lt=rule.cutoff(now)).exclude(status=model.Status.PENDING)

    def delete(self, ids, *, using, reference):
        rows = self.model._base_manager.using(using).filter(any_of("pk", ids))
        return rows._raw_delete(using)

    anonymise = delete


RULE = {
    "name": "回调推送记录",
    "name_en": "Webhook delivery records",
    "category": WEBHOOK_DELIVERIES,
    "clock_event": "created",
    "action": "delete",
    "legal_basis": "数据最小化原则：回调推送记录只含编号、状态和尝试情况，用于排查和重发；"
    "送达或停止重试后满保存期限删除，尚在重试的记录不删除。",
    "order": 95,
}


def seed_rule(apps, schema_editor):
    """Data-migration step: the default rule for webhook deliveries (kept if it exists already)."""
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    fields = {f.name for f in RetentionRule._meta.get_fields()}
    defaults = {k: v for k, v in RULE.items() if k in fields}
    RetentionRule.objects.get_or_create(
        code=RULE_CODE, defaults={**defaults, "period_days": settings.WEBHOOK_DELIVERY_KEEP_DAYS}
    )


def unseed_rule(apps, schema_editor):
    apps.get_model("privacy", "RetentionRule").objects.filter(code=RULE_CODE).delete()
