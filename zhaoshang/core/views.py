"""Portal-wide views: the dashboard shell, the health check and the error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .dashboard import dashboard_panels


def dashboard(request):
    """The 工作台: each role's panels, filled by the apps (see zhaoshang.core.dashboard)."""
    return render(request, "core/dashboard.html", {"panels": dashboard_panels(request)})


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness as JSON, without login and without secrets."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure is "down"; details would leak internals
        checks["database"] = "error"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["redis"] = "inline"
    else:
        try:
            cache.set("healthz", "1", 5)
            checks["redis"] = "ok" if cache.get("healthz") == "1" else "error"
        except Exception:  # noqa: BLE001
            checks["redis"] = "error"
    if checks["database"] == "ok":
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            checks["migrations"] = "pending" if pending else "ok"
        except Exception:  # noqa: BLE001
            checks["migrations"] = "error"
    else:
        checks["migrations"] = "unknown"
    healthy = checks["database"] == "ok" and checks["redis"] in {"ok", "inline"} and checks["migrations"] == "ok"
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


def _is_api(request):
    return request.path.startswith("/api/")


@login_not_required
def error_404(request, exception=None):
    if _is_api(request):
        from .api.exceptions import DEFAULT_MESSAGES, json_error

        return json_error(404, "not_found", DEFAULT_MESSAGES["not_found"]())
    return render(request, "404.html", status=404)


@login_not_required
def error_403(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def error_500(request):
    if _is_api(request):
        from django.utils.translation import gettext as _

        from .api.exceptions import json_error

        return json_error(500, "server_error", _("服务器内部错误，请稍后重试；如持续出现请联系平台管理员。"))
    return render(request, "500.html", status=500)
