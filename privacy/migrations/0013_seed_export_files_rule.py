"""[H] Seed the "export-files" retention rule again, now that its category purges something.

Migration 0005 removed it because no engine category purged export files. The copy packages of
data-subject requests (`privacy.SubjectPackage`) are that category now
(`privacy.requests.retention_packages`): deleted, file and row, 30 days after they were built.
The rule is the one 0004 seeded, with its English name. Reversible.
"""

from django.db import migrations

RULE = {
    "code": "export-files",
    "name": "导出文件",
    "name_en": "Copies of personal information (export files)",
    "category": "export_files",
    "clock_event": "created",
    "period_days": 30,
    "action": "delete",
    "legal_basis": "《个人信息安全规范》6.1：为个人信息权利请求生成的副本文件在生成 30 天后删除（文件和记录）。"
    "副本下载链接自生成起 5 天内有效。",
}


def forward(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    if RetentionRule.objects.filter(code=RULE["code"]).exists():
        return
    order = (RetentionRule.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 10
    RetentionRule.objects.create(**RULE, order=order)


def backward(apps, schema_editor):
    apps.get_model("privacy", "RetentionRule").objects.filter(code=RULE["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0012_subject_package")]

    operations = [migrations.RunPython(forward, backward)]
