"""`seed_demo` step: complaints in every state, invented text only. Skips when complaints exist."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from clients.models import Department
from zhaoshang.core.calendar import add_working_days

from . import services
from .models import Channel, Complaint, ComplaintCategory, ComplaintKind

# (kind, category, channel, days ago, state to reach, anonymous?)
SCENARIOS = [
    ("complaint", "commitment", Channel.WEB, 1, "received", True),
    ("consultation", "policy", Channel.PHONE, 2, "assigned", False),
    ("complaint", "approval", Channel.HOTLINE_12345, 6, "in_progress", False),
    ("complaint", "conduct", Channel.VISIT, 5, "returned", False),
    ("complaint", "privacy", Channel.EMAIL, 8, "replied", False),
    ("suggestion", "other", Channel.WEB, 10, "followed_up", True),
    ("praise", "other", Channel.LETTER, 12, "closed", False),
    ("complaint", "policy", Channel.WEB, 25, "redo", False),
    ("complaint", "commitment", Channel.PHONE, 30, "overdue", False),
]

TEXT = "（演示数据）企业反映入驻时承诺的配套政策迟迟未兑现，希望尽快答复办理进度。"


def seed_complaints(password=None):
    if Complaint.objects.exists():
        return 0
    User = get_user_model()
    office = User.objects.get(username="handler")
    officer = User.objects.get(username="officer1")
    department = Department.objects.get(code="zs1")
    kinds = {k.code: k for k in ComplaintKind.objects.all()}
    categories = {c.code: c for c in ComplaintCategory.objects.all()}
    now = timezone.now()
    created = 0
    for index, (kind, category, channel, days_ago, state, anonymous) in enumerate(SCENARIOS, start=1):
        complaint, _secret = services.complaint_submit(
            kind=kinds[kind],
            category=categories[category],
            description=TEXT,
            channel=channel,
            name="" if anonymous else f"演示投诉人{index}",
            phone="" if anonymous else f"1380000{index:04d}",
            email="" if anonymous else f"demo{index}@example.cn",
            subject_department=department,
            created_by=None if channel == Channel.WEB else office,
            received_at=now - datetime.timedelta(days=days_ago),
        )
        created += 1
        if state == "received":
            continue
        services.complaint_assign(complaint=complaint, actor=office, department=department, handler=officer)
        if state == "assigned":
            continue
        if state == "returned":
            services.complaint_return(complaint=complaint, actor=officer, reason="（演示）不属于本部门职责。")
            continue
        services.complaint_start(complaint=complaint, actor=officer)
        if state == "overdue":
            Complaint.objects.filter(pk=complaint.pk).update(resolution_due=add_working_days(timezone.localdate(), -2))
            continue
        if state == "in_progress":
            services.extension_request(
                complaint=complaint, actor=officer, reason="（演示）需协调多个部门。", extra_working_days=5
            )
            continue
        services.complaint_reply(complaint=complaint, actor=officer, text="（演示）经核实，相关政策将于本月内兑现。")
        if state == "replied":
            continue
        if state == "redo":
            services.complaint_rate(complaint=complaint, rating=1, comment="（演示）答复未解决问题。")
            continue
        services.complaint_follow_up(complaint=complaint, actor=office, rating=5, comment="（演示）满意。")
        if state == "closed":
            services.complaint_close(complaint=complaint, actor=office)
    return created
