"""The auditor's workspace (审计员, 个人信息保护负责人) and the rectification owner's pages.

The trail, access and sign-in lists are keyset-paginated on id (no OFFSET, no count of the table,
no text search over change text). Anyone without an auditor role gets 404 on the workspace.
"""

import datetime

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.roles import has_role
from zhaoshang.core.streaming import streamed_csv

from . import services
from .access import record_access
from .forms import EngagementForm, EvidenceForm, FindingForm, RectificationForm, TrailFilterForm, VerifyForm
from .models import AccessEvent, Anomaly, AuditEngagement, Finding, Rectification

AUDIT_ROLES = ("auditor", "privacy_officer")
KINDS = ("log", "access", "signins")


def is_audit_reader(user):
    return has_role(user, *AUDIT_ROLES)


def _require_reader(request):
    if not is_audit_reader(request.user):
        raise Http404


def _require_auditor(request):
    """Writes of the internal audit: auditors only; the privacy officer may look (403)."""
    _require_reader(request)
    if not has_role(request.user, "auditor"):
        raise PermissionDenied


# --- Trail lists -------------------------------------------------------------------------------


def _base_queryset(kind):
    if kind == "log":
        return LogEntry.objects.select_related("actor", "content_type")
    return AccessEvent.objects.select_related("user", "content_type")


def keyset_page(qs, before, size):
    """One page in descending id order below `before`: (rows, next cursor or None)."""
    if before:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: size + 1])
    next_cursor = rows[size - 1].id if len(rows) > size else None
    return rows[:size], next_cursor


def _cursor(request):
    value = request.GET.get("before", "")
    return int(value) if value.isdigit() else None


def trail(request, kind="log"):
    _require_reader(request)
    if kind not in KINDS:
        raise Http404
    form = TrailFilterForm(request.GET or None, kind=kind)
    rows, next_cursor = [], None
    if form.is_bound and not form.is_valid():
        rows = []
    else:
        if not form.is_bound:
            form = TrailFilterForm({}, kind=kind)
            form.is_valid()
        rows, next_cursor = keyset_page(form.filter(_base_queryset(kind)), _cursor(request), settings.AUDIT_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        f"audit/trail_{'log' if kind == 'log' else 'access'}.html",
        {
            "kind": kind,
            "form": form,
            "rows": rows,
            "next_cursor": next_cursor,
            "query": query.urlencode(),
            "is_first_page": _cursor(request) is None,
        },
    )


def _log_row(entry):
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    summary = "; ".join(
        f"{name}: {v[0]} → {v[1]}" if isinstance(v, list) and len(v) == 2 else f"{name}: {v}"
        for name, v in changes.items()
    )
    return [
        entry.id,
        timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor.get_username() if entry.actor else "",
        f"{entry.content_type.app_label}.{entry.content_type.model}",
        entry.object_pk,
        entry.get_action_display(),
        summary,
        entry.cid or "",
    ]


def _access_row(event):
    return [
        event.id,
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        event.user.get_username() if event.user else "",
        f"{event.content_type.app_label}.{event.content_type.model}" if event.content_type else "",
        event.object_id,
        event.get_action_display(),
        event.purpose,
        "" if event.row_count is None else event.row_count,
        event.correlation_id,
    ]


def export(request, kind):
    """CSV of the filtered view (at most AUDIT_EXPORT_MAX_ROWS rows); itself an access event."""
    _require_reader(request)
    if kind not in KINDS:
        raise Http404
    form = TrailFilterForm(request.GET, kind=kind)
    if not form.is_valid():
        messages.error(request, _("筛选条件有误，请修改后再导出。"))
        return redirect(f"audit:{'trail' if kind == 'log' else kind}")
    limit = settings.AUDIT_EXPORT_MAX_ROWS
    rows = list(form.filter(_base_queryset(kind)).order_by("-id")[:limit])
    record_access(
        request.user,
        AccessEvent.Action.EXPORT,
        purpose=_("审计导出"),
        row_count=len(rows),
        detail={"view": kind, "filter": form.as_detail(), "truncated": len(rows) == limit},
        request=request,
    )
    if kind == "log":
        header = [_("编号"), _("时间"), _("用户"), _("对象类型"), _("对象编号"), _("动作"), _("变更"), _("请求编号")]
        make = _log_row
    else:
        header = [
            _("编号"),
            _("时间"),
            _("用户"),
            _("对象类型"),
            _("对象编号"),
            _("动作"),
            _("用途"),
            _("记录数"),
            _("请求编号"),
        ]
        make = _access_row
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return streamed_csv(rows, make, header=header, filename=f"audit-{kind}-{stamp}.csv", name=f"audit-{kind}")


# --- Anomalies ---------------------------------------------------------------------------------


def anomaly_list(request):
    _require_reader(request)
    qs = Anomaly.objects.select_related("user", "finding").order_by("-day", "-id")
    kind = request.GET.get("kind", "")
    if kind in Anomaly.Kind.values:
        qs = qs.filter(kind=kind)
    before = _cursor(request)
    rows, next_cursor = keyset_page(qs, before, settings.AUDIT_PAGE_SIZE)
    return render(
        request,
        "audit/anomalies.html",
        {"rows": rows, "next_cursor": next_cursor, "kind": kind, "kinds": Anomaly.Kind.choices},
    )


@require_POST
def anomaly_open_finding(request, pk):
    _require_auditor(request)
    get_object_or_404(Anomaly, pk=pk)
    finding, created = services.finding_from_anomaly(anomaly_id=pk, actor=request.user)
    if created:
        messages.success(request, _("已根据异常访问创建审计发现。"))
    return redirect("audit:finding_detail", pk=finding.pk)


# --- Engagements and findings ------------------------------------------------------------------


def engagement_list(request):
    _require_reader(request)
    engagements = AuditEngagement.objects.select_related("lead").order_by("-period_end", "-id")[:200]
    return render(request, "audit/engagement_list.html", {"engagements": engagements})


def get_engagement_for_user(user, pk, *, write=False):
    if not is_audit_reader(user):
        raise Http404
    if write and not has_role(user, "auditor"):
        raise PermissionDenied
    return get_object_or_404(AuditEngagement.objects.select_related("lead"), pk=pk)


def engagement_edit(request, pk=None):
    _require_auditor(request)
    engagement = get_engagement_for_user(request.user, pk, write=True) if pk else None
    form = EngagementForm(request.POST or None, instance=engagement)
    if request.method == "POST" and form.is_valid():
        engagement = services.engagement_save(form=form)
        messages.success(request, _("审计项目已保存。"))
        return redirect("audit:engagement_detail", pk=engagement.pk)
    return render(request, "audit/engagement_form.html", {"form": form, "engagement": engagement})


def _engagement_context(engagement):
    findings = list(
        engagement.findings.select_related("created_by").prefetch_related(
            "rectifications__owner", "links__content_type"
        )
    )
    return {"engagement": engagement, "findings": findings, "team": list(engagement.team.all())}


def engagement_detail(request, pk):
    engagement = get_engagement_for_user(request.user, pk)
    return render(request, "audit/engagement_detail.html", _engagement_context(engagement))


def engagement_report(request, pk):
    engagement = get_engagement_for_user(request.user, pk)
    context = _engagement_context(engagement)
    context["printed_at"] = timezone.localtime()
    return render(request, "audit/engagement_report.html", context)


def finding_list(request):
    _require_reader(request)
    qs = Finding.objects.select_related("engagement", "created_by").order_by("-id")
    status = request.GET.get("status", "")
    if status in Finding.Status.values:
        qs = qs.filter(status=status)
    rows, next_cursor = keyset_page(qs, _cursor(request), settings.AUDIT_PAGE_SIZE)
    return render(
        request,
        "audit/finding_list.html",
        {"rows": rows, "next_cursor": next_cursor, "status": status, "statuses": Finding.Status.choices},
    )


def finding_create(request):
    _require_auditor(request)
    initial = {}
    engagement_id = request.GET.get("engagement", "")
    if engagement_id.isdigit():
        initial["engagement"] = engagement_id
    form = FindingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        finding = services.finding_create(
            engagement=data["engagement"],
            title=data["title"],
            severity=data["severity"],
            description=data["description"],
            actor=request.user,
            links=form.links(),
        )
        messages.success(request, _("审计发现已创建。"))
        return redirect("audit:finding_detail", pk=finding.pk)
    return render(request, "audit/finding_form.html", {"form": form})


def get_finding_for_user(user, pk, *, write=False):
    if not is_audit_reader(user):
        raise Http404
    if write and not has_role(user, "auditor"):
        raise PermissionDenied
    return get_object_or_404(Finding.objects.select_related("engagement", "created_by"), pk=pk)


def finding_detail(request, pk):
    finding = get_finding_for_user(request.user, pk)
    form = RectificationForm()
    if request.method == "POST":
        finding = get_finding_for_user(request.user, pk, write=True)
        form = RectificationForm(request.POST)
        if form.is_valid():
            services.rectification_create(finding=finding, **form.cleaned_data)
            messages.success(request, _("整改措施已添加。"))
            return redirect("audit:finding_detail", pk=finding.pk)
    return render(
        request,
        "audit/finding_detail.html",
        {
            "finding": finding,
            "form": form,
            "rectifications": finding.rectifications.select_related("owner", "verified_by"),
            "links": finding.links.select_related("content_type"),
            "can_write": has_role(request.user, "auditor"),
            "today": timezone.localdate(),
        },
    )


# --- Rectifications (owners and auditors) ------------------------------------------------------


def get_rectification_for_user(user, pk, *, write=False):
    """Auditors and the privacy officer see every action; an owner sees their own; others 404."""
    rectification = Rectification.objects.select_related("finding", "owner", "verified_by").filter(pk=pk).first()
    if rectification is None:
        raise Http404
    if is_audit_reader(user):
        return rectification
    if rectification.owner_id == user.pk:
        return rectification
    raise Http404


def my_rectifications(request):
    rows = (
        Rectification.objects.filter(owner=request.user)
        .select_related("finding")
        .order_by("status", "due_date", "id")[:200]
    )
    return render(request, "audit/my_rectifications.html", {"rows": rows, "today": timezone.localdate()})


def rectification_detail(request, pk):
    rectification = get_rectification_for_user(request.user, pk)
    is_owner = rectification.owner_id == request.user.pk
    evidence_form = EvidenceForm()
    verify_form = VerifyForm()
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "submit" and is_owner:
                evidence_form = EvidenceForm(request.POST, request.FILES)
                if evidence_form.is_valid():
                    services.rectification_submit(
                        rectification=rectification,
                        evidence=evidence_form.cleaned_data["evidence"],
                        note=evidence_form.cleaned_data["note"],
                    )
                    messages.success(request, _("整改情况已提交，等待审计员验证。"))
                    return redirect("audit:rectification_detail", pk=pk)
            elif step == "verify":
                if not has_role(request.user, "auditor"):
                    raise PermissionDenied
                verify_form = VerifyForm(request.POST)
                if verify_form.is_valid():
                    services.rectification_verify(
                        rectification=rectification,
                        actor=request.user,
                        accepted=verify_form.cleaned_data["decision"] == "accept",
                        note=verify_form.cleaned_data["note"],
                    )
                    messages.success(request, _("验证结论已记录。"))
                    return redirect("audit:rectification_detail", pk=pk)
            else:
                raise PermissionDenied
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "audit/rectification_detail.html",
        {
            "r": rectification,
            "is_owner": is_owner,
            "can_verify": has_role(request.user, "auditor") and not is_owner,
            "evidence_form": evidence_form,
            "verify_form": verify_form,
            "today": timezone.localdate(),
        },
    )


def rectification_evidence(request, pk):
    rectification = get_rectification_for_user(request.user, pk)
    if not rectification.evidence:
        raise Http404
    name = rectification.evidence.name.rsplit("/", 1)[-1]
    return FileResponse(rectification.evidence.open("rb"), as_attachment=True, filename=name)


# --- Dashboard panel ---------------------------------------------------------------------------


def dashboard_panel(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    today = timezone.localdate()
    open_statuses = [Rectification.Status.OPEN, Rectification.Status.REJECTED]
    mine = Rectification.objects.filter(owner=user, status__in=open_statuses)
    context = {"template": "audit/_panel.html", "order": 80}
    if is_audit_reader(user):
        since = today - datetime.timedelta(days=7)
        context.update(
            reader=True,
            new_anomalies=Anomaly.objects.filter(day__gte=since, finding__isnull=True).count(),
            open_findings=Finding.objects.exclude(status=Finding.Status.CLOSED).count(),
            to_verify=Rectification.objects.filter(status=Rectification.Status.SUBMITTED).count(),
        )
    my_open = mine.count()
    if my_open:
        context.update(my_open=my_open, my_overdue=mine.filter(due_date__lt=today).count())
    if not context.get("reader") and not my_open:
        return None
    return context
