"""[H] Request records get their retention rule (personal data removed SUBJECT_REQUEST_KEEP_DAYS,
default 730, after receipt; kind, dates and outcome kept); the old "rejected" status is "refused"."""

from django.conf import settings
from django.db import migrations

RULE = {
    "code": "subject-requests",
    "name": "个人信息权利请求记录",
    "name_en": "Data-subject request records",
    "category": "subject_requests",
    "clock_event": "created",
    "action": "anonymise",
    "legal_basis": "《个人信息保护法》第四十四条至第五十条：为证明已依法响应个人行使权利的请求而保存。"
    "收到请求满保存期限后去除其中的个人信息，仅保留请求类型、日期和办理结果。",
}


def forward(apps, schema_editor):
    apps.get_model("privacy", "SubjectRequest").objects.filter(status="rejected").update(status="refused")
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    order = (RetentionRule.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 10
    period = getattr(settings, "SUBJECT_REQUEST_KEEP_DAYS", 730)
    RetentionRule.objects.get_or_create(code=RULE["code"], defaults={**RULE, "period_days": period, "order": order})


def backward(apps, schema_editor):
    apps.get_model("privacy", "SubjectRequest").objects.filter(status="refused").update(status="rejected")
    apps.get_model("privacy", "RetentionRule").objects.filter(code=RULE["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0014_subject_request_workflow")]

    operations = [migrations.RunPython(forward, backward)]
