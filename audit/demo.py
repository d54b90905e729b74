"""Demo data for the audit app (a seed_demo step): one engagement, a finding, an overdue action."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import services
from .models import AuditEngagement


def seed_audit(password):
    """Idempotent: does nothing when the demo engagement exists. Returns rows created."""
    title = "演示：年度个人信息保护合规审计"
    if AuditEngagement.objects.filter(title=title).exists():
        return 0
    User = get_user_model()
    auditor = User.objects.filter(username="auditor").first()
    owner = User.objects.filter(username="head1").first()
    if auditor is None or owner is None:
        return 0
    today = timezone.localdate()
    engagement = AuditEngagement.objects.create(
        title=title,
        scope="招商一局联系人与项目管理；明文查看与导出的审批。",
        period_start=today.replace(month=1, day=1),
        period_end=today,
        lead=auditor,
        status=AuditEngagement.Status.FIELDWORK,
    )
    finding = services.finding_create(
        engagement=engagement,
        title="批量导出未填写用途",
        severity="high",
        description="抽查发现部分导出未写明用途，见访问记录。",
        actor=auditor,
    )
    services.rectification_create(
        finding=finding,
        action="导出前必须选择用途并经部门负责人确认。",
        owner=owner,
        due_date=today - datetime.timedelta(days=2),
    )
    return 3
