"""Seed the four kinds (with their working-day clocks) and the six categories. Editable in the admin."""

from django.db import migrations

# code, name, acknowledgement days, resolution days, remind days before, order
KINDS = [
    ("complaint", "投诉", 1, 13, 2, 1),
    ("consultation", "咨询", 1, 3, 1, 2),
    ("suggestion", "建议", 1, 10, 2, 3),
    ("praise", "表扬", 1, 5, 1, 4),
]
# code, name, is_privacy, order
CATEGORIES = [
    ("commitment", "不兑现招商引资承诺和协议", False, 1),
    ("policy", "政策落实不到位", False, 2),
    ("approval", "审批服务", False, 3),
    ("privacy", "个人信息与隐私", True, 4),
    ("conduct", "工作作风", False, 5),
    ("other", "其他", False, 6),
]


def seed(apps, schema_editor):
    Kind = apps.get_model("complaints", "ComplaintKind")
    Category = apps.get_model("complaints", "ComplaintCategory")
    for code, name, ack, resolution, remind, order in KINDS:
        Kind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "ack_working_days": ack,
                "resolution_working_days": resolution,
                "remind_before_working_days": remind,
                "order": order,
            },
        )
    for code, name, is_privacy, order in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "is_privacy": is_privacy, "order": order})


def unseed(apps, schema_editor):
    apps.get_model("complaints", "ComplaintKind").objects.filter(code__in=[k[0] for k in KINDS]).delete()
    apps.get_model("complaints", "ComplaintCategory").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_complaints_initial")]

    operations = [migrations.RunPython(seed, unseed)]
