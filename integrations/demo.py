"""`seed_demo` step: the three systems a zone typically connects, without keys (the admin issues
those, and shows each once). Idempotent: an integration that exists is left alone."""

from clients.models import Department, Role

from . import services
from .models import Integration, Scope

DEMO = [
    # code, name, role, department, scopes, description
    (
        "hotline-12345",
        "12345 市民服务热线",
        Role.Code.COMPLAINT_HANDLER,
        "yshj",
        [Scope.COMPLAINTS_INTAKE],
        "市12345热线转办投诉，接收答复与办结回调。",
    ),
    (
        "province-platform",
        "省投资促进服务平台",
        Role.Code.AUDITOR,
        "tcj",
        [Scope.ENTERPRISES_READ, Scope.PROJECTS_READ, Scope.COUNTS_READ],
        "按月汇总在谈、签约、落地项目（只读）。",
    ),
    ("zone-oa", "开发区协同办公（OA）", Role.Code.AUDITOR, "xxzx", [Scope.COUNTS_READ], "领导驾驶舱统计数字。"),
]


def seed_integrations(password=None):
    created = 0
    for code, name, role, department, scopes, description in DEMO:
        if Integration.objects.filter(code=code).exists():
            continue
        integration = Integration(
            code=code,
            name=name,
            role=Role.objects.get(code=role),
            department=Department.objects.filter(code=department).first(),
            scopes=[str(s) for s in scopes],
            description=description,
        )
        services.integration_save(integration=integration)
        created += 1
    return created
