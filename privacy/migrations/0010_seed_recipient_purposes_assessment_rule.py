"""[I] The two purposes that provide personal data to others ask for consent per recipient; the
impact-assessment records get their retention rule (three years after the assessment ends, the
floor PIPL Art. 56 sets)."""

from django.db import migrations

PROVIDING = {"partner_sharing": False, "overseas_hq": True}  # code -> cross-border

RULE = {
    "code": "impact-assessments",
    "name": "个人信息保护影响评估记录",
    "category": "impact_assessments",
    "clock_event": "assessment_ended",
    "period_days": 3 * 365,
    "action": "delete",
    "legal_basis": "《个人信息保护法》第五十六条：个人信息保护影响评估报告和处理情况记录应当至少保存三年。"
    "评估结束（处理活动停止或被新的评估取代）满三年后删除；本系统下限三年。",
}


def forward(apps, schema_editor):
    Purpose = apps.get_model("privacy", "Purpose")
    for code, cross_border in PROVIDING.items():
        Purpose.objects.filter(code=code).update(provides_to_others=True, cross_border=cross_border)
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    order = (RetentionRule.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 10
    RetentionRule.objects.get_or_create(code=RULE["code"], defaults={**RULE, "order": order})


def backward(apps, schema_editor):
    apps.get_model("privacy", "Purpose").objects.filter(code__in=PROVIDING).update(
        provides_to_others=False, cross_border=False
    )
    apps.get_model("privacy", "RetentionRule").objects.filter(code=RULE["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [('privacy', '0009_partners_agreements_shares_assessments')]

    operations = [migrations.RunPython(forward, backward)]
