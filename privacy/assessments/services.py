"""Impact assessments: the one path for each change, the coverage check shares and agreements ask,
the risk matrix, and the reminders of reviews and mitigations due.

Workflow: draft → (submitted) → approved by the privacy officer → reviewed yearly (or reopened for
revision) → closed. Only an approved assessment whose review is not overdue and that has not ended
"covers" a partner and purpose (`assessment_covering`). Approval needs the description, the
legality and necessity, at least one risk, a mitigation for every risk scored high or severe, and
the residual risk.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.roles import has_role

from .models import AssessmentStatus, ImpactAssessment, Mitigation, ResidualRisk, Risk, SubjectKind, Trigger, risk_level

PRIVACY_OFFICER = "privacy_officer"
EDITABLE_FIELDS = [
    "title",
    "subject_kind",
    "activity",
    "partner",
    "triggers",
    "description",
    "legality",
    "necessity",
    "residual_risk",
    "residual_note",
    "review_interval_days",
]


class AssessmentError(ValidationError):
    """A change the assessment's state or content does not allow (message in Chinese)."""


def _require_officer(user):
    if not has_role(user, PRIVACY_OFFICER):
        raise PermissionDenied(_("只有个人信息保护负责人可以执行此操作。"))


def _require_editable(assessment):
    if not assessment.is_editable:
        raise AssessmentError(_("评估已提交或已批准，不能修改；如需修订，请先重新打开。"))


def _lock(assessment):
    return ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)


def _check_subject(assessment, purposes):
    if assessment.subject_kind == SubjectKind.PARTNER:
        if assessment.partner_id is None or not purposes:
            raise AssessmentError(_("评估对象为合作方时，须选择合作方和涉及的处理用途。"))
    elif not assessment.activity.strip():
        raise AssessmentError(_("请填写处理活动或系统名称。"))
    unknown = set(assessment.triggers) - set(Trigger.values)
    if not assessment.triggers or unknown:
        raise AssessmentError(_("请至少选择一项《个人信息保护法》第五十五条规定的评估情形。"))


# --- Writes ------------------------------------------------------------------------------------


@transaction.atomic
def assessment_create(*, user, purposes=(), **fields):
    """A new draft. `fields` are the editable fields; `purposes` Purpose rows."""
    _require_officer(user)
    data = {name: value for name, value in fields.items() if name in EDITABLE_FIELDS}
    assessment = ImpactAssessment(created_by=user, **data)
    _check_subject(assessment, list(purposes))
    assessment.save()
    assessment.purposes.set(purposes)
    return assessment


@transaction.atomic
def assessment_update(*, assessment, user, purposes=None, **fields):
    _require_officer(user)
    assessment = _lock(assessment)
    _require_editable(assessment)
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(assessment, name, value)
    purposes = list(purposes) if purposes is not None else list(assessment.purposes.all())
    _check_subject(assessment, purposes)
    assessment.save()
    assessment.purposes.set(purposes)
    return assessment


@transaction.atomic
def risk_add(*, assessment, user, title, likelihood, impact, description=""):
    _require_officer(user)
    assessment = _lock(assessment)
    _require_editable(assessment)
    if not (1 <= int(likelihood) <= 5 and 1 <= int(impact) <= 5):
        raise AssessmentError(_("可能性和影响程度须在 1 至 5 之间。"))
    return Risk.objects.create(
        assessment=assessment, title=title, description=description, likelihood=likelihood, impact=impact
    )


@transaction.atomic
def risk_remove(*, risk, user):
    _require_officer(user)
    _require_editable(_lock(risk.assessment))
    risk.delete()


@transaction.atomic
def mitigation_add(*, risk, user, action, owner, due_date):
    _require_officer(user)
    _require_editable(_lock(risk.assessment))
    if not owner.is_active:
        raise AssessmentError(_("责任人账号已停用。"))
    return Mitigation.objects.create(risk=risk, action=action, owner=owner, due_date=due_date)


@transaction.atomic
def mitigation_complete(*, mitigation, user, note=""):
    """The owner (or the privacy officer) marks a mitigation done."""
    if mitigation.owner_id != user.pk and not has_role(user, PRIVACY_OFFICER):
        raise PermissionDenied(_("只有责任人或个人信息保护负责人可以确认完成。"))
    mitigation = Mitigation.objects.select_for_update().get(pk=mitigation.pk)
    if mitigation.done_at is not None:
        return mitigation
    mitigation.done_at = timezone.now()
    mitigation.done_note = (note or "")[:300]
    mitigation.save(update_fields=["done_at", "done_note"])
    return mitigation


def approval_problems(assessment):
    """What keeps `assessment` from approval (a list of Chinese sentences; empty: ready)."""
    problems = []
    for name, label in (
        ("description", _("处理情况描述")),
        ("legality", _("合法性、正当性")),
        ("necessity", _("必要性")),
    ):
        if not getattr(assessment, name).strip():
            problems.append(_("请填写“%(field)s”。") % {"field": label})
    try:
        _check_subject(assessment, list(assessment.purposes.all()))
    except AssessmentError as exc:
        problems.append(exc.messages[0])
    risks = list(assessment.risks.prefetch_related("mitigations"))
    if not risks:
        problems.append(_("风险清单为空：请至少识别一项风险。"))
    for risk in risks:
        if risk.level in (ResidualRisk.HIGH, ResidualRisk.SEVERE) and not risk.mitigations.all():
            problems.append(_("风险“%(risk)s”为高风险，须至少制定一项控制措施。") % {"risk": risk.title})
    if not assessment.residual_risk:
        problems.append(_("请评定剩余风险。"))
    elif assessment.residual_risk == ResidualRisk.SEVERE:
        problems.append(_("剩余风险为“严重”，不能批准：请补充控制措施后重新评定。"))
    return problems


@transaction.atomic
def assessment_submit(*, assessment, user):
    _require_officer(user)
    assessment = _lock(assessment)
    _require_editable(assessment)
    problems = approval_problems(assessment)
    if problems:
        raise AssessmentError(problems)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_at", "updated_at"])
    return assessment


@transaction.atomic
def assessment_approve(*, assessment, user, note="", next_review_date=None):
    """The privacy officer approves; the next review falls due a review interval from today."""
    _require_officer(user)
    assessment = _lock(assessment)
    if assessment.status not in (AssessmentStatus.SUBMITTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED):
        raise AssessmentError(
            _("该评估当前状态为“%(status)s”，不能批准。") % {"status": assessment.get_status_display()}
        )
    problems = approval_problems(assessment)
    if problems:
        raise AssessmentError(problems)
    today = timezone.localdate()
    if next_review_date is not None and next_review_date <= today:
        raise AssessmentError(_("下次复核日期须晚于今天。"))
    assessment.status = AssessmentStatus.APPROVED
    assessment.submitted_at = assessment.submitted_at or timezone.now()
    assessment.approved_at = timezone.now()
    assessment.approved_by = user
    assessment.approval_note = (note or "")[:500]
    assessment.next_review_date = next_review_date or assessment.default_review_date(today)
    assessment.save(
        update_fields=[
            "status",
            "submitted_at",
            "approved_at",
            "approved_by",
            "approval_note",
            "next_review_date",
            "updated_at",
        ]
    )
    return assessment


@transaction.atomic
def assessment_return(*, assessment, user, note):
    _require_officer(user)
    assessment = _lock(assessment)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise AssessmentError(_("只有待批准的评估可以退回。"))
    assessment.status = AssessmentStatus.RETURNED
    assessment.approval_note = (note or "")[:500]
    assessment.save(update_fields=["status", "approval_note", "updated_at"])
    return assessment


@transaction.atomic
def assessment_review(*, assessment, user, note, next_review_date=None):
    """A periodic review that finds the assessment still accurate: the next review moves on."""
    _require_officer(user)
    assessment = _lock(assessment)
    if assessment.status != AssessmentStatus.APPROVED or assessment.ended_at:
        raise AssessmentError(_("只有已批准且未结束的评估可以复核。"))
    if not (note or "").strip():
        raise AssessmentError(_("请填写复核结论。"))
    today = timezone.localdate()
    if next_review_date is not None and next_review_date <= today:
        raise AssessmentError(_("下次复核日期须晚于今天。"))
    assessment.next_review_date = next_review_date or assessment.default_review_date(today)
    assessment.approval_note = note[:500]
    assessment.approved_by = user
    assessment.approved_at = timezone.now()
    assessment.save(update_fields=["next_review_date", "approval_note", "approved_by", "approved_at", "updated_at"])
    return assessment


@transaction.atomic
def assessment_reopen(*, assessment, user, note):
    """Reopen an approved assessment for revision: it stops covering anything until approved again."""
    _require_officer(user)
    assessment = _lock(assessment)
    if assessment.status != AssessmentStatus.APPROVED or assessment.ended_at:
        raise AssessmentError(_("只有已批准且未结束的评估可以重新打开修订。"))
    assessment.status = AssessmentStatus.RETURNED
    assessment.approval_note = (note or "")[:500]
    assessment.save(update_fields=["status", "approval_note", "updated_at"])
    return assessment


@transaction.atomic
def assessment_close(*, assessment, user, reason):
    """End an assessment (the activity stopped or a new assessment replaces it). Kept ≥ 3 years."""
    _require_officer(user)
    assessment = _lock(assessment)
    if assessment.ended_at:
        raise AssessmentError(_("该评估已结束。"))
    if not (reason or "").strip():
        raise AssessmentError(_("请填写结束原因。"))
    assessment.status = AssessmentStatus.CLOSED
    assessment.ended_at = timezone.now()
    assessment.end_reason = reason[:300]
    assessment.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
    return assessment


# --- The check shares and agreements ask ---------------------------------------------------------


class AssessmentMissing(PermissionDenied):
    """No approved, in-date assessment covers the partner and purpose (message in Chinese)."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)

    def __str__(self):
        return self.message


def assessment_covering(partner, purpose, *, trigger=None, today=None):
    """The approved, in-date assessment covering `partner` and `purpose` (and `trigger`, a Trigger
    value, when given); raises `AssessmentMissing` naming what is wrong. Two queries at most."""
    today = today or timezone.localdate()
    candidates = list(
        ImpactAssessment.objects.for_partner_purpose(partner, purpose)
        .filter(ended_at__isnull=True)
        .order_by("-approved_at", "-pk")
    )
    in_date = [a for a in candidates if a.is_in_date(today)]
    if trigger is not None:
        fitting = [a for a in in_date if trigger in a.triggers]
        if in_date and not fitting:
            raise AssessmentMissing(
                _("覆盖该合作方和用途的影响评估未涵盖“%(trigger)s”情形，请补充评估。")
                % {"trigger": Trigger(trigger).label}
            )
        in_date = fitting
    if in_date:
        return in_date[0]
    approved = [a for a in candidates if a.status == AssessmentStatus.APPROVED]
    if approved:
        latest = approved[0]
        raise AssessmentMissing(
            _("覆盖该合作方和用途的影响评估 %(ref)s 已于 %(date)s 到期复核，复核通过前不能据此提供。")
            % {"ref": latest.reference, "date": f"{latest.next_review_date:%Y-%m-%d}"}
        )
    if candidates:
        raise AssessmentMissing(
            _("覆盖该合作方和用途的影响评估 %(ref)s 尚未经个人信息保护负责人批准。") % {"ref": candidates[0].reference}
        )
    raise AssessmentMissing(
        _("没有覆盖合作方“%(partner)s”和用途“%(purpose)s”的个人信息保护影响评估，请先完成评估并经批准。")
        % {"partner": partner.name, "purpose": purpose.name}
    )


# --- Risk matrix -------------------------------------------------------------------------------


def risk_matrix(risks):
    """Rows (impact 5 → 1) of cells (likelihood 1 → 5): score, level and the risks' numbers there."""
    numbered = {risk.pk: n for n, risk in enumerate(risks, start=1)}
    rows = []
    for impact in range(5, 0, -1):
        cells = []
        for likelihood in range(1, 6):
            score = likelihood * impact
            here = [numbered[r.pk] for r in risks if r.likelihood == likelihood and r.impact == impact]
            cells.append({"likelihood": likelihood, "score": score, "level": risk_level(score), "risks": here})
        rows.append({"impact": impact, "cells": cells})
    return rows


# --- Reminders (the periodic job) ------------------------------------------------------------------

REVIEW_NOTICE_DAYS = 30
MITIGATION_NOTICE_DAYS = 7


def reviews_due(today=None):
    today = today or timezone.localdate()
    return ImpactAssessment.objects.review_due(today + datetime.timedelta(days=REVIEW_NOTICE_DAYS))


def mitigations_due(today=None):
    today = today or timezone.localdate()
    return Mitigation.objects.due_by(today + datetime.timedelta(days=MITIGATION_NOTICE_DAYS)).select_related(
        "owner", "risk__assessment"
    )


def assessments_remind(today=None):
    """Tell the privacy officers of reviews due within 30 days (once per review date) and owners of
    mitigations due within 7 days (once per due date). Returns the number of reminders written."""
    from privacy.sharing.reminders import privacy_officers, remind

    today = today or timezone.localdate()
    officers = privacy_officers()
    sent = 0
    for assessment in reviews_due(today):
        sent += remind(
            officers,
            "assessment_review_due",
            assessment,
            {"reference": assessment.reference, "due": assessment.next_review_date},
            once_key=f"{assessment.next_review_date:%Y-%m-%d}",
        )
    for mitigation in mitigations_due(today):
        sent += remind(
            [mitigation.owner],
            "mitigation_due",
            mitigation.risk.assessment,
            {
                "reference": mitigation.risk.assessment.reference,
                "mitigation": mitigation.pk,
                "due": mitigation.due_date,
            },
            once_key=f"{mitigation.pk}:{mitigation.due_date:%Y-%m-%d}",
        )
    return sent
