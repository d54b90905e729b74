"""The starting list of 终止 reason codes (editable in the admin afterwards)."""

from django.db import migrations

REASONS = [
    # code, name, English name
    ("relocated", "选址其他地区", "Chose another location"),
    ("strategy", "投资方向或计划调整", "Investor changed plans"),
    ("land", "用地或载体条件不满足", "Land or premises unsuitable"),
    ("policy", "政策或扶持条件未谈拢", "No agreement on policy support"),
    ("funding", "资金不到位", "Funding not secured"),
    ("operations", "企业经营困难", "Investor in difficulty"),
    ("approval", "项目准入或审批未通过", "Not admitted or not approved"),
    ("contact_lost", "联系中断", "Contact lost"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor):
    LossReason = apps.get_model("clients", "LossReason")
    for order, (code, name, name_en) in enumerate(REASONS, start=1):
        LossReason.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order * 10})


def unseed(apps, schema_editor):
    LossReason = apps.get_model("clients", "LossReason")
    LossReason.objects.filter(code__in=[r[0] for r in REASONS], projects__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("clients", "0011_loss_reasons")]

    operations = [migrations.RunPython(seed, unseed)]
