"""Demo training, recognition and drill records (a step of `seed_demo`). Idempotent.

Every demo user who may reveal holds a current completion except officer3, so the training gate
(REVEAL_REQUIRES_TRAINING) and a coverage below 100% can both be seen."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

UNTRAINED = "officer3"


def seed_training(password=None):
    from privacy.incidents.models import Drill

    from .models import Completion, Course, Recognition
    from .services import add_months, revealing_staff

    if Course.objects.exists():
        return 0
    User = get_user_model()
    dpo = User.objects.filter(username="dpo").first()
    if dpo is None:
        return 0
    today = timezone.localdate()
    course = Course.objects.create(
        title="个人信息保护基础（《个人信息保护法》与本区规则）",
        audience_roles=[],
        link="https://learn.example.cn/pipl-basics",
        validity_months=12,
    )
    created = 1
    for user in revealing_staff().exclude(username=UNTRAINED).order_by("pk"):
        completed = today - datetime.timedelta(days=30 + user.pk % 60)
        Completion.objects.create(
            course=course,
            user=user,
            completed_on=completed,
            score=85 + user.pk % 15,
            passed=True,
            expires_on=add_months(completed, course.validity_months),
            recorded_by=dpo,
        )
        created += 1
    officer = User.objects.filter(username="officer1").first()
    if officer is not None:
        Recognition.objects.create(
            user=officer,
            awarded_on=today - datetime.timedelta(days=20),
            title="发现并及时报告一次异常批量导出",
            awarded_by=dpo,
        )
        created += 1
    if not Drill.objects.exists():
        Drill.objects.create(
            held_on=today - datetime.timedelta(days=90),
            scenario="联系人名单误发外部单位（桌面推演）",
            participants="个人信息保护负责人、信息中心、招商一局",
            findings="告知模板缺少“个人可采取的措施”，已补充。",
            recorded_by=dpo,
        )
        created += 1
    return created
