"""Default retention rules, one per data category; the privacy officer adjusts them in the admin console."""

from django.db import migrations

# code, name, category, clock event, days, action, legal basis (Chinese, shown on the policy page)
RULES = [
    (
        "terminated-contacts",
        "终止项目联系人信息",
        "terminated_contacts",
        "project_terminated",
        365 * 2,
        "anonymise",
        "《个人信息保护法》第十九条、第四十七条：企业全部招商项目终止满二年，联系人信息已无继续保存的必要，"
        "匿名化处理（保留企业、阶段、金额等统计信息）。",
    ),
    (
        "followup-notes",
        "跟进记录",
        "followup_notes",
        "last_followup",
        365 * 3,
        "anonymise",
        "《个人信息保护法》第十九条：项目最后一次跟进满三年后，跟进内容及参与人员匿名化处理，保留跟进日期与方式用于统计。",
    ),
    (
        "complaint-records",
        "投诉记录",
        "complaints",
        "complaint_closed",
        365 * 3,
        "anonymise",
        "《信访工作条例》及政务服务便民热线工作要求：投诉办结后保存三年备查，期满匿名化处理投诉人身份与诉求内容。",
    ),
    (
        "consent-evidence",
        "同意凭证",
        "consent_evidence",
        "consent_withdrawn",
        365 * 3,
        "delete",
        "《个人信息保护法》第十三条、第十五条：撤回同意后，为证明此前处理行为合法，同意记录与凭证保存三年后删除。",
    ),
    (
        "selfservice-links",
        "自助服务链接",
        "selfservice_tokens",
        "created",
        90,
        "delete",
        "《个人信息安全规范》6.1：已过期或已撤销的自助服务链接签发满 90 天后删除。",
    ),
    (
        "import-files",
        "导入文件记录",
        "import_files",
        "created",
        180,
        "delete",
        "数据最小化原则：Excel 导入批次（文件名及被覆盖的企业数据）在导入 180 天后删除，之后不再支持撤销该次导入。",
    ),
    (
        "export-files",
        "导出文件",
        "export_files",
        "created",
        30,
        "delete",
        "《个人信息安全规范》6.1：为个人信息权利请求生成的副本文件在生成 30 天后删除。",
    ),
    (
        "audit-log",
        "审计日志",
        "audit_log",
        "created",
        365 * 3,
        "delete",
        "《网络安全法》第二十一条：网络日志留存不少于六个月（本系统下限 180 天）；"
        "审计日志保存三年，期满按已封存批次删除。",
    ),
]


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for order, (code, name, category, clock, days, action, basis) in enumerate(RULES, start=1):
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


def unseed(apps, schema_editor):
    apps.get_model("privacy", "RetentionRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_seed_purposes_policy_ledger_guard")]

    operations = [migrations.RunPython(seed, unseed)]
