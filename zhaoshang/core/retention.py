"""Retention of in-app notifications: the purge engine's category ``notifications``.

Registered with the engine's own `register` from here (`CoreConfig.ready`), so the engine's module
does not need to know about notifications. Notifications hold reference numbers, statuses and
dates only, no personal data, so an expired row is simply deleted, set-based, with no audit
redaction. Clock: the notification's creation; action: delete only.

The rule row (`seed_rule`) takes its period from settings.NOTIFICATION_KEEP_DAYS when it is first
created; afterwards the rule, like every retention rule, is adjusted in the admin console.
"""

from django.conf import settings

from privacy.retention.base import Category, register
from privacy.retention.models import RetentionCategory
from zhaoshang.core.db import any_of

NOTIFICATIONS = RetentionCategory.NOTIFICATIONS
RULE_CODE = "notifications"


@register
class Notifications(Category):
    """In-app notifications, once older than the rule's period (clock "created")."""

    code = NOTIFICATIONS
    model_label = "core.Notification"
    keyed = False  # no subject key: "anonymise" would mean nothing, the row goes

    def _expired(self, rule, now, probe=False):
        return self.model._base_manager.filter(created_at__lt=rule.cutoff(now))

    def delete(self, ids, *, using, reference):
        rows = self.model._base_manager.using(using).filter(any_of("pk", ids))
        return rows._raw_delete(using)

    anonymise = delete


RULE = {
    "name": "站内通知",
    "category": NOTIFICATIONS,
    "clock_event": "created",
    "action": "delete",
    "legal_basis": "数据最小化原则：站内通知只含编号、状态和日期，用于提醒待办事项，创建满保存期限后删除。",
    "order": 90,
}


def seed_rule(apps, schema_editor):
    """Data-migration step: the default rule for notifications (kept if it exists already)."""
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    RetentionRule.objects.get_or_create(
        code=RULE_CODE, defaults={**RULE, "period_days": settings.NOTIFICATION_KEEP_DAYS}
    )


def unseed_rule(apps, schema_editor):
    apps.get_model("privacy", "RetentionRule").objects.filter(code=RULE_CODE).delete()
