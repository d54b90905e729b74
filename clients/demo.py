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

DEPARTMENT_NAMES_EN = {
    "gwh": "Administrative Committee",
    "tcj": "Investment Promotion Bureau",
    "zs1": "Investment Team 1",
    "zs2": "Investment Team 2",
    "zs1-sh": "Shanghai Investment Office",
    "yshj": "Business Environment Bureau",
    "fgb": "Legal and Compliance Department",
    "sjs": "Audit and Supervision Office",
    "xxzx": "Information Centre",
}

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
    ("leader", "王", "志远", "管委会副主任（分管招商）", "gwh", Role.Code.LEADERSHIP, None, False),
]

DEPARTMENT_HEADS = {"zs1": "head1", "zs2": "head2"}


def seed_organisation(password):
    """Create departments and demo users; return the number of rows created."""
    created = 0
    by_code = {}
    for code, name, kind, parent in DEPARTMENTS:
        dept, was_created = Department.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": DEPARTMENT_NAMES_EN.get(code, ""),
                "kind": kind,
                "parent": by_code.get(parent),
            },
        )
        if not dept.name_en and DEPARTMENT_NAMES_EN.get(code):
            dept.name_en = DEPARTMENT_NAMES_EN[code]
            dept.save(update_fields=["name_en"])
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


# --- Cases ------------------------------------------------------------------------------------

DEMO_CASE_COUNT = 50
DEMO_SEED = 20260101


def seed_cases(password):
    """~50 invented enterprises with contacts, projects across every stage and follow-ups.

    Deterministic (seeded Faker zh_CN and random) and idempotent: enterprises are keyed by a
    generated credit code, and an enterprise that already exists is left alone with its cases.
    """
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone
    from faker import Faker

    from . import services
    from .models import (
        PIPELINE,
        Enterprise,
        FollowUpMethod,
        Industry,
        LossReason,
        Project,
        Source,
        Stage,
        StageChange,
    )
    from .validators import make_credit_code

    User = get_user_model()
    officers = {u.username: u for u in User.objects.filter(username__in=["officer1", "officer2", "officer3"])}
    if len(officers) < 3:
        return 0
    fake = Faker("zh_CN")
    fake.seed_instance(DEMO_SEED)
    rng = random.Random(DEMO_SEED)  # noqa: S311 - invented demo data, not security
    loss_rng = random.Random(DEMO_SEED + 1)  # noqa: S311 - its own stream: the cases above stay the same
    loss_reasons = list(LossReason.objects.filter(active=True))
    now = timezone.now()
    today = timezone.localdate()
    stages = [*PIPELINE, Stage.TERMINATED]
    industries = [Industry.C, Industry.I, Industry.M, Industry.F, Industry.L, Industry.G]
    owners = ["officer1", "officer2", "officer3"]
    created = 0
    for i in range(DEMO_CASE_COUNT):
        # Draw every random value whether or not the row exists, so reruns stay in step.
        code = make_credit_code(f"91330100MA{DEMO_SEED % 1000:03d}{i:04d}")
        name = fake.company()
        region = fake.city()
        capital = Decimal(rng.randrange(100, 50000))
        industry = rng.choice(industries)
        source = rng.choice(Source.values)
        owner = officers[owners[i % 3]]
        contacts = [(fake.name(), fake.phone_number(), fake.email(), fake.job()[:50]) for _c in range(1 + i % 2)]
        stage = stages[i % len(stages)]
        investment = Decimal(rng.randrange(500, 80000))
        age_days = rng.randrange(5, 300)
        followups = [
            (rng.randrange(1, 60), rng.choice(FollowUpMethod.values), fake.sentence()) for _f in range(1 + i % 4)
        ]
        in_pool = i % 17 == 16
        if Enterprise.objects.filter(credit_code=code).exists():
            continue
        enterprise = services.enterprise_create(
            user=owner,
            name=name[:200],
            credit_code=code,
            industry=industry,
            region=region,
            registered_capital=capital,
            source=source,
        )
        created += 1
        for cname, mobile, email, job in contacts:
            services.contact_create(
                user=owner,
                enterprise=enterprise,
                name=cname,
                mobile=mobile,
                email=email,
                position=job,
                source=Source.CLIENT,
                purpose="investment_liaison",
            )
            created += 1
        project = services.project_create(
            user=owner,
            enterprise=enterprise,
            title=f"{name[:20]}{rng.choice(['智能制造基地', '研发中心', '区域总部', '数字产业园', '新材料产线'])}项目",
            industry=industry,
            planned_investment=investment,
        )
        created += 1
        started = now - timedelta(days=age_days)
        path = PIPELINE[: PIPELINE.index(stage) + 1] if stage in PIPELINE else PIPELINE[:3]
        steps = len(path)
        StageChange.objects.filter(project=project).update(at=started)
        for n, step in enumerate(path[1:], 1):
            StageChange.objects.create(
                project=project,
                from_stage=path[n - 1],
                to_stage=step,
                at=started + timedelta(days=age_days * n // steps),
                by=owner,
            )
        if stage == Stage.TERMINATED:
            StageChange.objects.create(
                project=project,
                from_stage=path[-1],
                to_stage=stage,
                at=now - timedelta(days=2),
                by=owner,
                note="企业战略调整",
            )
        last_change = project.stage_changes.order_by("-at").first().at
        signed_at = timezone.localdate(last_change) if stage in (Stage.SIGNED, Stage.LANDED) else None
        for days_ago, method, summary in followups:
            services.followup_create(
                user=owner,
                project=project,
                date=today - timedelta(days=days_ago),
                method=method,
                summary=summary,
                next_contact_date=today + timedelta(days=rng.randrange(-10, 20)),
            )
            created += 1
        Project.objects.filter(pk=project.pk).update(
            stage=stage,
            stage_changed_at=last_change,
            signed_at=signed_at,
            termination_reason="企业战略调整" if stage == Stage.TERMINATED else "",
            loss_reason=loss_rng.choice(loss_reasons) if stage == Stage.TERMINATED and loss_reasons else None,
            lost_at_stage=loss_rng.choice(PIPELINE[:5]) if stage == Stage.TERMINATED else "",
            last_activity_at=now - timedelta(days=min(d for d, _m, _s in followups)),
        )
        if in_pool:
            services.project_release(user=owner, project=project, note="演示：释放到公海")
    return created
