"""Create the six roles (groups + Role rows with their data scopes).

Permissions are synced after every migrate by clients.roles.sync_role_permissions, so that models
added later get theirs too; this migration only creates the roles.
"""

from django.db import migrations

ROLES = [
    ("officer", "招商专员", "self"),
    ("dept_head", "部门负责人", "dept_tree"),
    ("privacy_officer", "个人信息保护负责人", "all"),
    ("complaint_handler", "投诉处理专员", "dept"),
    ("auditor", "审计员", "all"),
    ("admin", "系统管理员", "all"),
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Role = apps.get_model("clients", "Role")
    for code, name, scope in ROLES:
        group, _created = Group.objects.get_or_create(name=name)
        Role.objects.update_or_create(code=code, defaults={"group": group, "data_scope": scope})


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Role = apps.get_model("clients", "Role")
    Role.objects.filter(code__in=[r[0] for r in ROLES]).delete()
    Group.objects.filter(name__in=[r[1] for r in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_organisation"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
