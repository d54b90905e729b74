"""Portal-wide views: the dashboard shell, the health check and the error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import FileResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .dashboard import dashboard_panels
from .health import is_stalled, worker_status


def dashboard(request):
    """The 工作台: each role's panels, filled by the apps (see zhaoshang.core.dashboard)."""
    return render(request, "core/dashboard.html", {"panels": dashboard_panels(request)})


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness as JSON, without login and without secrets.

    `worker` is inline (no broker), ok, stale (no heartbeat for WORKER_HEARTBEAT_MAX_AGE_SECONDS) or
    never; `oldest_queued_seconds` is how long the oldest import or purge has waited. Any of them
    off, or a job queued past QUEUED_JOB_MAX_AGE_SECONDS, answers "degraded" (503).
    """
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
    background = {"worker": "unknown", "worker_heartbeat_age": None, "oldest_queued_seconds": None}
    if checks["migrations"] == "ok":
        try:
            background = worker_status()
        except Exception:  # noqa: BLE001
            background["worker"] = "error"
    healthy = (
        checks["database"] == "ok"
        and checks["redis"] in {"ok", "inline"}
        and checks["migrations"] == "ok"
        and background["worker"] in {"ok", "inline"}
        and not is_stalled(background)
    )
    body = {"status": "ok" if healthy else "degraded", **checks, **background}
    return JsonResponse(body, status=200 if healthy else 503)


@login_not_required
def admin_login(request, extra_context=None):
    """/admin/login/: a signed-in user without staff status is told why the console stays closed
    (instead of a sign-in form that cannot help) and where their own pages are; anyone else gets
    the usual sign-in (two-factor's, patched into the admin)."""
    from django.contrib.admin import AdminSite, site

    user = request.user
    if user.is_authenticated and not (user.is_active and user.is_staff):
        return render(request, "core/admin_refused.html", status=403)
    return AdminSite.login(site, request, extra_context)


@login_not_required
@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for on every site: the zone's icon (SVG), cached for a day."""
    icon = finders.find("favicon.svg")
    response = FileResponse(open(icon, "rb"), content_type="image/svg+xml")  # noqa: SIM115 - FileResponse closes it
    response["Cache-Control"] = "public, max-age=86400"
    return response


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
    from privacy.training.gate import TrainingRequired

    reason = exception.message if isinstance(exception, TrainingRequired) else ""  # [J] says why
    return render(request, "403.html", {"reason": reason}, status=403)


@login_not_required
def error_500(request):
    if _is_api(request):
        from django.utils.translation import gettext as _

        from .api.exceptions import json_error

        return json_error(500, "server_error", _("服务器内部错误，请稍后重试；如持续出现请联系平台管理员。"))
    return render(request, "500.html", status=500)
