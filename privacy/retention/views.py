"""The privacy officer's retention pages: rules, purge runs (dry and real) with progress, legal holds.

Only the privacy officer (个人信息保护负责人) may open them; everyone else gets 404. Rules are
edited here (floors enforced by the model, as in the admin console); a real purge can only be
started from a finished dry run, whose preview (counts and record ids per rule) is shown first.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clients.roles import has_role
from privacy.shortcuts import require_perms

from .forms import LegalHoldForm, LegalHoldReleaseForm, PurgeConfirmForm, PurgeStartForm, RetentionRuleForm
from .models import LegalHold, PurgeRun, PurgeRunItem, RetentionRule
from .services import (
    legal_hold_place,
    legal_hold_release,
    purge_run_create,
    purge_run_enqueue,
    purge_run_retry,
    retention_rule_update,
)

PREVIEW_IDS_SHOWN = 200


def _require_officer(request):
    if not has_role(request.user, "privacy_officer"):
        raise Http404


def retention_home(request):
    _require_officer(request)
    return render(
        request,
        "privacy/retention/home.html",
        {
            "rules": RetentionRule.objects.order_by("order", "code"),
            "runs": PurgeRun.objects.select_related("triggered_by")[:10],
            "start_form": PurgeStartForm(),
            "active_holds": LegalHold.objects.active().count(),
        },
    )


@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    _require_officer(request)
    require_perms(request.user, "privacy.change_retentionrule")
    rule = get_object_or_404(RetentionRule, pk=pk)
    form = RetentionRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        retention_rule_update(form=form, user=request.user)
        messages.success(request, _("规则“%(name)s”已保存，下次清理起生效。") % {"name": rule.name})
        return redirect("privacy:retention")
    return render(request, "privacy/retention/rule_form.html", {"form": form, "rule": rule})


def run_list(request):
    _require_officer(request)
    before = request.GET.get("before", "")
    runs = PurgeRun.objects.select_related("triggered_by").order_by("-id")
    if before.isdigit():
        runs = runs.filter(id__lt=int(before))
    runs = list(runs[:51])
    next_cursor = runs[49].id if len(runs) > 50 else None
    return render(request, "privacy/retention/runs.html", {"runs": runs[:50], "next_cursor": next_cursor})


@require_POST
def run_start(request):
    """Start a dry run (any rule), or — with `preview` naming a finished dry run — the real purge."""
    _require_officer(request)
    if "preview" in request.POST:
        form = PurgeConfirmForm(request.POST)
        preview = None
        if form.is_valid():
            preview = PurgeRun.objects.filter(
                pk=form.cleaned_data["preview"], dry_run=True, status=PurgeRun.Status.SUCCEEDED
            ).first()
        if preview is None:
            messages.error(request, _("请先完成一次试运行并确认其预览结果。"))
            return redirect("privacy:retention")
        run = purge_run_create(
            dry_run=False, trigger=PurgeRun.Trigger.MANUAL, user=request.user, rule_code=preview.rule_code
        )
        messages.success(request, _("清理已开始。"))
    else:
        form = PurgeStartForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择有效的规则。"))
            return redirect("privacy:retention")
        run = purge_run_create(
            dry_run=True, trigger=PurgeRun.Trigger.MANUAL, user=request.user, rule_code=form.cleaned_data["rule"]
        )
        messages.success(request, _("试运行已开始：完成后请核对预览，再决定是否执行清理。"))
    purge_run_enqueue(run=run)
    return redirect("privacy:run_detail", pk=run.pk)


@require_POST
def run_retry(request, pk):
    """Queue again a run that could not be queued (the background queue was unreachable)."""
    _require_officer(request)
    run = get_object_or_404(PurgeRun, pk=pk)
    try:
        purge_run_retry(run=run)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("privacy:run_detail", pk=run.pk)


def _run_context(run):
    previews = []
    if run.dry_run and run.is_finished:
        items = PurgeRunItem.objects.filter(run=run).order_by("rule_code", "object_id")
        for code, stats in run.counts.items():
            ids = list(items.filter(rule_code=code).values_list("object_id", flat=True)[:PREVIEW_IDS_SHOWN])
            previews.append({"code": code, "stats": stats, "ids": ids, "more": stats.get("candidates", 0) - len(ids)})
    return {"run": run, "previews": previews}


def run_detail(request, pk):
    _require_officer(request)
    run = get_object_or_404(PurgeRun.objects.select_related("triggered_by"), pk=pk)
    context = _run_context(run)
    context["rules"] = {rule.code: rule for rule in RetentionRule.objects.all()}
    return render(request, "privacy/retention/run_detail.html", context)


def run_progress(request, pk):
    """The progress fragment polled by htmx every 2 s while the run is going."""
    _require_officer(request)
    run = get_object_or_404(PurgeRun, pk=pk)
    response = render(request, "privacy/retention/_run_progress.html", {"run": run})
    if run.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # show the results (and the preview) once it is done
    return response


def hold_list(request):
    _require_officer(request)
    show = request.GET.get("show", "active")
    holds = LegalHold.objects.select_related("placed_by", "released_by")
    holds = holds.active() if show == "active" else holds
    return render(
        request,
        "privacy/retention/holds.html",
        {"holds": holds[:200], "show": show, "release_form": LegalHoldReleaseForm()},
    )


def hold_place(request):
    _require_officer(request)
    form = LegalHoldForm(request.POST or None, initial=request.GET or None)
    if request.method == "POST" and form.is_valid():
        try:
            legal_hold_place(user=request.user, **form.hold_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已设置法律保全／限制处理。"))
            return redirect("privacy:holds")
    return render(request, "privacy/retention/hold_form.html", {"form": form})


@require_POST
def hold_release(request, pk):
    _require_officer(request)
    hold = get_object_or_404(LegalHold, pk=pk)
    form = LegalHoldReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写解除说明。"))
        return redirect("privacy:holds")
    try:
        legal_hold_release(hold_id=hold.pk, user=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已解除。"))
    return redirect("privacy:holds")
