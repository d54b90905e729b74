"""Impact-assessment pages: list, create/edit, the register of risks and mitigations, the risk
matrix, approval by the privacy officer, review, reopen, close, and a printable page.

Whoever may view assessments (privacy officer, auditors, admins) sees all of them; anyone else
gets 404. Changes go through `privacy.assessments.services`, which lets only the privacy officer
change an assessment; a mitigation's owner may mark it done.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clients.roles import has_role

from . import forms, services
from .models import ImpactAssessment, Mitigation


def get_assessment_for_user(user, pk, *, write=False):
    assessment = (
        ImpactAssessment.objects.visible_to(user).select_related("partner", "approved_by").filter(pk=pk).first()
    )
    if assessment is None:
        raise Http404
    if write and not has_role(user, "privacy_officer"):
        raise PermissionDenied
    return assessment


def _flash(request, exc):
    for message in exc.messages:
        messages.error(request, message)


def assessment_list(request):
    if not request.user.has_perm("privacy.view_impactassessment"):
        raise Http404
    assessments = ImpactAssessment.objects.visible_to(request.user).select_related("partner").order_by("-created_at")
    status = request.GET.get("status", "")
    if status in ImpactAssessment.Status.values:
        assessments = assessments.filter(status=status)
    return render(
        request,
        "privacy/assessments/list.html",
        {
            "assessments": assessments[:300],
            "status": status,
            "statuses": ImpactAssessment.Status.choices,
            "today": timezone.localdate(),
            "can_edit": has_role(request.user, "privacy_officer"),
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_create(request):
    if not request.user.has_perm("privacy.view_impactassessment"):
        raise Http404
    if not has_role(request.user, "privacy_officer"):
        raise PermissionDenied
    initial = {}
    if request.GET.get("partner", "").isdigit():
        initial = {"subject_kind": ImpactAssessment.Subject.PARTNER, "partner": int(request.GET["partner"])}
    form = forms.AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        purposes, data = form.service_kwargs()
        try:
            assessment = services.assessment_create(user=request.user, purposes=purposes, **data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已创建评估草稿。请登记风险和控制措施。"))
            return redirect("privacy:assessment_detail", pk=assessment.pk)
    return render(request, "privacy/assessments/form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    assessment = get_assessment_for_user(request.user, pk, write=True)
    if not assessment.is_editable:
        messages.error(request, _("评估已提交或已批准，不能修改；如需修订，请先重新打开。"))
        return redirect("privacy:assessment_detail", pk=assessment.pk)
    form = forms.AssessmentForm(request.POST or None, initial=forms.AssessmentForm.initial_for(assessment))
    if request.method == "POST" and form.is_valid():
        purposes, data = form.service_kwargs()
        try:
            services.assessment_update(assessment=assessment, user=request.user, purposes=purposes, **data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("privacy:assessment_detail", pk=assessment.pk)
    return render(request, "privacy/assessments/form.html", {"form": form, "assessment": assessment})


def _detail_context(request, assessment):
    risks = list(assessment.risks.prefetch_related("mitigations__owner"))
    return {
        "assessment": assessment,
        "risks": risks,
        "matrix": services.risk_matrix(risks),
        "purposes": list(assessment.purposes.all()),
        "problems": services.approval_problems(assessment)
        if assessment.is_editable or assessment.status == "submitted"
        else [],
        "today": timezone.localdate(),
    }


def assessment_detail(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    context = _detail_context(request, assessment)
    context |= {
        "can_edit": has_role(request.user, "privacy_officer"),
        "risk_form": forms.RiskForm(),
        "mitigation_form": forms.MitigationForm(assessment=assessment),
        "approve_form": forms.ApproveForm(),
        "review_form": forms.ReviewForm(),
        "note_form": forms.NoteForm(),
    }
    return render(request, "privacy/assessments/detail.html", context)


def assessment_print(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    return render(request, "privacy/assessments/print.html", _detail_context(request, assessment))


@require_POST
def risk_add(request, pk):
    assessment = get_assessment_for_user(request.user, pk, write=True)
    form = forms.RiskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写风险名称，并在 1 至 5 之间选择可能性和影响程度。"))
    else:
        try:
            services.risk_add(assessment=assessment, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已登记风险。"))
    return redirect(f"{assessment_url(assessment)}#risks")


@require_POST
def risk_remove(request, pk, risk_pk):
    assessment = get_assessment_for_user(request.user, pk, write=True)
    risk = assessment.risks.filter(pk=risk_pk).first()
    if risk is None:
        raise Http404
    try:
        services.risk_remove(risk=risk, user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已删除风险及其控制措施。"))
    return redirect(f"{assessment_url(assessment)}#risks")


@require_POST
def mitigation_add(request, pk):
    assessment = get_assessment_for_user(request.user, pk, write=True)
    form = forms.MitigationForm(request.POST, assessment=assessment)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.mitigation_add(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已添加控制措施。"))
    return redirect(f"{assessment_url(assessment)}#risks")


@require_POST
def mitigation_done(request, pk, mitigation_pk):
    """The owner (who may not otherwise see assessments) or the privacy officer marks it done."""
    assessment = get_assessment_for_user(request.user, pk)
    mitigation = Mitigation.objects.filter(pk=mitigation_pk, risk__assessment=assessment).first()
    if mitigation is None:
        raise Http404
    form = forms.NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.mitigation_complete(mitigation=mitigation, user=request.user, note=note)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认控制措施完成。"))
    return redirect(f"{assessment_url(assessment)}#risks")


def assessment_url(assessment):
    from django.urls import reverse

    return reverse("privacy:assessment_detail", args=[assessment.pk])


def _transition(request, pk, action):
    assessment = get_assessment_for_user(request.user, pk, write=True)
    post = request.POST
    try:
        if action == "submit":
            services.assessment_submit(assessment=assessment, user=request.user)
            messages.success(request, _("已提交，等待个人信息保护负责人批准。"))
        elif action == "approve":
            form = forms.ApproveForm(post)
            if not form.is_valid():
                raise ValidationError(_("下次复核日期无效。"))
            services.assessment_approve(assessment=assessment, user=request.user, **form.cleaned_data)
            messages.success(request, _("已批准。该评估在下次复核日期前有效。"))
        elif action == "review":
            form = forms.ReviewForm(post)
            if not form.is_valid():
                raise ValidationError(_("请填写复核结论。"))
            services.assessment_review(assessment=assessment, user=request.user, **form.cleaned_data)
            messages.success(request, _("已记录复核，下次复核日期已更新。"))
        else:
            form = forms.NoteForm(post)
            if not form.is_valid():
                raise ValidationError(_("请填写说明。"))
            note = form.cleaned_data["note"]
            if action == "return":
                services.assessment_return(assessment=assessment, user=request.user, note=note)
                messages.success(request, _("已退回修改。"))
            elif action == "reopen":
                services.assessment_reopen(assessment=assessment, user=request.user, note=note)
                messages.warning(request, _("评估已重新打开修订：再次批准前，它不再覆盖任何协议签署或提供。"))
            else:
                services.assessment_close(assessment=assessment, user=request.user, reason=note)
                messages.success(request, _("评估已结束，将按保存期限规则至少保存三年。"))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("privacy:assessment_detail", pk=assessment.pk)


@require_POST
def assessment_submit(request, pk):
    return _transition(request, pk, "submit")


@require_POST
def assessment_approve(request, pk):
    return _transition(request, pk, "approve")


@require_POST
def assessment_return(request, pk):
    return _transition(request, pk, "return")


@require_POST
def assessment_review(request, pk):
    return _transition(request, pk, "review")


@require_POST
def assessment_reopen(request, pk):
    return _transition(request, pk, "reopen")


@require_http_methods(["GET", "POST"])
def assessment_close(request, pk):
    """GET: what ending means (confirm page); POST: end it."""
    if request.method == "POST":
        return _transition(request, pk, "close")
    assessment = get_assessment_for_user(request.user, pk, write=True)
    return render(request, "privacy/assessments/close.html", {"assessment": assessment, "form": forms.NoteForm()})
