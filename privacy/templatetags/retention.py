"""`{% load retention %}{% retention_rules_public %}`: the retention periods for the public policy page."""

from django import template
from django.utils.translation import gettext_lazy

register = template.Library()


def public_retention_rules():
    from privacy.models import RetentionRule

    return list(RetentionRule.objects.active().order_by("order", "code"))


@register.inclusion_tag("privacy/_retention_rules_public.html")
def retention_rules_public():
    return {"rules": public_retention_rules()}


@register.inclusion_tag("privacy/retention/_hold_badge.html")
def hold_badge(obj):
    """`{% hold_badge enterprise %}`: a badge when a legal hold or restriction of processing
    (a LegalHold row, or the record's own legal_hold flag) covers the record. One query."""
    from privacy.retention.restrictions import active_hold_for

    hold = active_hold_for(obj)
    return {"hold": hold, "flagged": bool(getattr(obj, "legal_hold", False))}


# [N] Retention pages name rules, actions and skip reasons by their labels, never by their codes.
SKIP_REASONS = {
    "not_installed": gettext_lazy("该类数据所属功能尚未启用，本规则暂无可清理的记录"),
    "clock_not_allowed": gettext_lazy("起算事件不适用于该数据类别，规则未执行"),
    "action_not_allowed": gettext_lazy("该数据类别只能删除，规则未执行"),
    "unknown_category": gettext_lazy("未知的数据类别，规则未执行"),
}


def rule_names(rules=None):
    """{rule code: name in the reader's language}, for a page that lists runs: from `rules` when the
    page has them already, else one query."""
    from privacy.models import RetentionRule
    from zhaoshang.core.localized import localized

    return {rule.code: localized(rule) for rule in (RetentionRule.objects.all() if rules is None else rules)}


@register.filter
def rule_label(code, names):
    """`{{ run.rule_code|rule_label:rule_names }}`: the rule's name ("" code: every rule)."""
    if not code:
        return gettext_lazy("全部启用的规则")
    return (names or {}).get(code, code)


@register.filter
def retention_action(code):
    from privacy.retention.models import RetentionAction

    return RetentionAction(code).label if code in RetentionAction.values else code


@register.filter
def skip_reason(code):
    return SKIP_REASONS.get(code, code) if code else ""
