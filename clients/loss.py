"""Loss analysis (终止分析): terminated projects counted by reason code, by the stage they were lost
at and by department, for heads and leadership, inside `Project.visible_to(user)`.

A dashboard panel registered with `zhaoshang.core.dashboard.register_panel` (clients.apps); three
GROUP BY queries over the terminated projects of the user's scope, whatever their number.
"""

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from zhaoshang.core.localized import is_english

from .models import LossReason, Project, Role, Stage
from .roles import has_role

# Roles that read the team figures: heads, the administrator, and a leadership role where one exists.
LEADING_ROLES = tuple(code for code in ("DEPARTMENT_HEAD", "ADMIN", "LEADERSHIP") if hasattr(Role.Code, code))


def _leads(user):
    return (
        getattr(user, "is_authenticated", False)
        and user.has_perm("clients.view_project")
        and has_role(user, *(getattr(Role.Code, code) for code in LEADING_ROLES))
    )


def loss_analysis(user):
    """{"total", "amount", "by_reason", "by_stage", "by_department"} over the user's terminated projects."""
    lost = Project.objects.visible_to(user).filter(stage=Stage.TERMINATED).order_by()
    english = is_english()
    names = {r.pk: (english and r.name_en) or r.name for r in LossReason.objects.all()}
    by_reason = [
        {"name": names.get(row["loss_reason"]) or _("未分类"), "n": row["n"], "amount": row["amount"] or 0}
        for row in lost.values("loss_reason").annotate(n=Count("pk"), amount=Sum("planned_investment")).order_by("-n")
    ]
    stage_counts = dict(lost.values_list("lost_at_stage").annotate(n=Count("pk")))
    by_stage = [
        {"code": s.value, "name": str(s.label), "n": stage_counts.get(s.value, 0)}
        for s in Stage
        if s != Stage.TERMINATED
    ]
    if stage_counts.get(""):
        by_stage.append({"code": "", "name": _("未记录"), "n": stage_counts[""]})
    by_department = [
        {"name": (english and row["department__name_en"]) or row["department__name"] or _("无部门"), "n": row["n"]}
        for row in lost.values("department__name", "department__name_en").annotate(n=Count("pk")).order_by("-n")
    ]
    return {
        "total": sum(r["n"] for r in by_reason),
        "amount": sum(r["amount"] for r in by_reason),
        "by_reason": by_reason,
        "by_stage": by_stage,
        "by_department": by_department,
    }


def loss_panel(request):
    if not _leads(request.user):
        return None
    analysis = loss_analysis(request.user)
    return {
        "template": "clients/panels/loss.html",
        "order": 23,
        **analysis,
        "chart": {
            "labels": [r["name"] for r in analysis["by_reason"]],
            "values": [r["n"] for r in analysis["by_reason"]],
            "integer": True,
        },
    }
