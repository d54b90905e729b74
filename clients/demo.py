"""Demo organisation for `seed_demo`: departments and one user per role. Idempotent."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import Department, Role, StaffProfile

DEPARTMENTS = [
    # code, name, kind, parent code
    ("gwh", "管委会", Department.Kind.COMMITTEE, None),
    ("tcj", "投资促进局", Department.Kind.BUREAU, "gwh"),
    ("zs1", "招商一局", Department.Kind.TEAM, "tcj"),
    ("zs2", "招商二局", Department.Kind.TEAM, "tcj"),
    ("zs1-sh", "驻上海招商局", Department.Kind.OFFICE, "zs1"),
    ("yshj", "营商环境局", Department.Kind.BUREAU, "gwh"),
    ("fgb", "法务合规部", Department.Kind.BUREAU, "gwh"),
    ("sjs", "审计监督室", Department.Kind.BUREAU, "gwh"),
    ("xxzx", "信息中心", Department.Kind.BUREAU, "gwh"),
]

# username, last name, first name, title, department, role, supervisor, staff/superuser
USERS = [
    ("head1", "王", "建国", "招商一局局长", "zs1", Role.Code.DEPARTMENT_HEAD, None, False),
    ("head2", "李", "海燕", "招商二局局长", "zs2", Role.Code.DEPARTMENT_HEAD, None, False),
    ("officer1", "张", "伟", "招商专员", "zs1", Role.Code.OFFICER, "head1", False),
    ("officer2", "刘", "洋", "招商专员", "zs2", Role.Code.OFFICER, "head2", False),
    ("officer3", "陈", "静", "驻沪招商专员", "zs1-sh", Role.Code.OFFICER, "head1", False),
    ("dpo", "赵", "敏", "个人信息保护负责人", "fgb", Role.Code.PRIVACY_OFFICER, None, False),
    ("handler", "孙", "丽", "投诉处理专员", "yshj", Role.Code.COMPLAINT_HANDLER, None, False),
    ("auditor", "周", "强", "内部审计员", "sjs", Role.Code.AUDITOR, None, False),
    ("admin", "吴", "磊", "系统管理员", "xxzx", Role.Code.ADMIN, None, True),
]

DEPARTMENT_HEADS = {"zs1": "head1", "zs2": "head2"}


def seed_organisation(password):
    """Create departments and demo users; return the number of rows created."""
    created = 0
    by_code = {}
    for code, name, kind, parent in DEPARTMENTS:
        dept, was_created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": by_code.get(parent)}
        )
        by_code[code] = dept
        created += was_created

    User = get_user_model()
    users = {}
    for username, last, first, title, dept_code, role_code, supervisor, superuser in USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={
                "last_name": last,
                "first_name": first,
                "email": f"{username}@zone.example.cn",
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if was_created:
            user.set_password(password)
            user.save(update_fields=["password"])
            created += 1
        users[username] = user
        group = Group.objects.get(role__code=role_code)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        _profile, was_created = StaffProfile.objects.get_or_create(
            user=user,
            defaults={
                "department": by_code[dept_code],
                "supervisor": users.get(supervisor) if supervisor else None,
                "title": title,
            },
        )
        created += was_created

    for dept_code, username in DEPARTMENT_HEADS.items():
        dept = by_code[dept_code]
        if dept.head_id is None:
            dept.head = users[username]
            dept.save(update_fields=["head"])
    return created
