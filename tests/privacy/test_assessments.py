"""Impact assessments: approval by the privacy officer only and only when complete, coverage of
partner and purpose, review dates and reminders, the risk matrix and printable page, and the
three-year retention floor counted from the end."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from privacy.assessments import services
from privacy.assessments.models import ImpactAssessment, Mitigation, Risk
from privacy.models import Purpose, RetentionRule

from . import sharing_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def purpose(db):
    return Purpose.objects.get(code="partner_sharing")


def _draft(dpo, partner, purpose, **fields):
    return f.assessment(dpo, partner, [purpose], approve=False, **fields)


def test_only_the_privacy_officer_may_approve(dpo, head1, auditor, purpose):
    assessment = _draft(dpo, f.partner(dpo), purpose)
    for user in (head1, auditor):
        with pytest.raises(PermissionDenied):
            services.assessment_approve(assessment=assessment, user=user)
    approved = services.assessment_approve(assessment=assessment, user=dpo, note="同意")
    assert approved.status == "approved" and approved.approved_by == dpo
    assert approved.next_review_date == timezone.localdate() + datetime.timedelta(days=365)


def test_approval_is_refused_until_the_assessment_is_complete(dpo, purpose):
    partner = f.partner(dpo)
    bare = services.assessment_create(
        user=dpo,
        purposes=[purpose],
        title="空白评估",
        subject_kind="partner",
        partner=partner,
        triggers=["provide"],
        description="描述",
        legality="",
        necessity="必要",
    )
    with pytest.raises(ValidationError) as exc:
        services.assessment_approve(assessment=bare, user=dpo)
    text = " ".join(exc.value.messages)
    assert "合法性、正当性" in text and "风险清单为空" in text and "剩余风险" in text
    risk = services.risk_add(assessment=bare, user=dpo, title="泄露", likelihood=4, impact=4)
    with pytest.raises(ValidationError) as exc:
        services.assessment_approve(assessment=bare, user=dpo)
    assert "为高风险，须至少制定一项控制措施" in " ".join(exc.value.messages)
    assert risk.level == "high"


def test_a_severe_residual_risk_cannot_be_approved(dpo, purpose):
    assessment = _draft(dpo, f.partner(dpo), purpose, residual_risk="severe")
    with pytest.raises(ValidationError) as exc:
        services.assessment_approve(assessment=assessment, user=dpo)
    assert "严重" in " ".join(exc.value.messages)


def test_coverage_follows_partner_purpose_trigger_and_dates(dpo, purpose):
    partner = f.partner(dpo)
    other = Purpose.objects.get(code="overseas_hq")
    assessment = f.assessment(dpo, partner, [purpose])
    assert services.assessment_covering(partner, purpose) == assessment
    with pytest.raises(services.AssessmentMissing):
        services.assessment_covering(partner, other)
    with pytest.raises(services.AssessmentMissing) as exc:
        services.assessment_covering(partner, purpose, trigger="cross_border")
    assert "向境外提供个人信息" in exc.value.message
    later = timezone.localdate() + datetime.timedelta(days=400)
    with pytest.raises(services.AssessmentMissing) as exc:
        services.assessment_covering(partner, purpose, today=later)
    assert "到期复核" in exc.value.message
    services.assessment_review(
        assessment=assessment, user=dpo, note="处理情况未变化", next_review_date=later + datetime.timedelta(days=1)
    )
    assert services.assessment_covering(partner, purpose, today=later) == assessment


def test_approved_assessment_is_frozen_until_reopened(dpo, purpose):
    assessment = f.assessment(dpo, f.partner(dpo), [purpose])
    with pytest.raises(ValidationError):
        services.risk_add(assessment=assessment, user=dpo, title="新风险", likelihood=1, impact=1)
    services.assessment_reopen(assessment=assessment, user=dpo, note="范围扩大")
    services.risk_add(assessment=assessment, user=dpo, title="新风险", likelihood=1, impact=1)
    assert assessment.risks.count() == 2


def test_risk_scale_is_one_to_five_in_the_database_too(dpo, purpose):
    assessment = _draft(dpo, f.partner(dpo), purpose)
    with pytest.raises(ValidationError):
        services.risk_add(assessment=assessment, user=dpo, title="x", likelihood=6, impact=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.create(assessment=assessment, title="x", likelihood=0, impact=3)


def test_risk_matrix_places_each_risk_in_its_cell_coloured_by_score(dpo, purpose, client_for):
    assessment = _draft(dpo, f.partner(dpo), purpose)
    services.risk_add(assessment=assessment, user=dpo, title="第二个", likelihood=5, impact=5)
    matrix = services.risk_matrix(list(assessment.risks.all()))
    assert [row["impact"] for row in matrix] == [5, 4, 3, 2, 1]
    top_right = matrix[0]["cells"][4]
    assert top_right["score"] == 25 and top_right["level"] == "severe" and top_right["risks"] == [2]
    assert matrix[1]["cells"][2]["risks"] == [1]  # likelihood 3, impact 4
    body = client_for(dpo).get(f"/privacy/assessments/{assessment.pk}/").content.decode()
    assert 'class="risk-severe" data-likelihood="5" data-impact="5"' in body
    assert "style=" not in body  # CSP: classes only


def test_printable_page_has_print_css_and_no_actions(dpo, purpose, client_for):
    assessment = f.assessment(dpo, f.partner(dpo), [purpose])
    body = client_for(dpo).get(f"/privacy/assessments/{assessment.pk}/print/").content.decode()
    assert "css/privacy.css" in body and "data-print" in body and "risk-matrix" in body
    assert "确认完成" not in body and "<script>" not in body


def test_mitigation_owner_marks_it_done_and_sees_only_that_assessment(dpo, officer1, purpose, client_for):
    assessment = _draft(dpo, f.partner(dpo), purpose)
    risk = assessment.risks.get()
    mitigation = services.mitigation_add(
        risk=risk, user=dpo, action="培训", owner=officer1, due_date=timezone.localdate() + datetime.timedelta(days=3)
    )
    other = _draft(dpo, f.partner(dpo), purpose)
    client = client_for(officer1)
    assert client.get(f"/privacy/assessments/{assessment.pk}/").status_code == 200
    assert client.get(f"/privacy/assessments/{other.pk}/").status_code == 404
    client.post(f"/privacy/assessments/{assessment.pk}/mitigations/{mitigation.pk}/done/", {"note": "已完成培训"})
    mitigation.refresh_from_db()
    assert mitigation.is_done and mitigation.done_note == "已完成培训"
    assert client.post(f"/privacy/assessments/{assessment.pk}/approve/").status_code == 403


def test_reminders_for_reviews_and_mitigations_due(dpo, officer1, purpose, monkeypatch):
    from privacy.sharing import reminders

    assessment = f.assessment(dpo, f.partner(dpo), [purpose])
    ImpactAssessment.objects.filter(pk=assessment.pk).update(
        next_review_date=timezone.localdate() + datetime.timedelta(days=20)
    )
    Mitigation.objects.update(owner=officer1, due_date=timezone.localdate() + datetime.timedelta(days=2))
    calls = []
    monkeypatch.setattr(
        reminders, "remind", lambda users, kind, obj, context, *, once_key: calls.append((kind, users, once_key)) or 1
    )
    assert services.assessments_remind() == 2
    kinds = {kind: users for kind, users, _key in calls}
    assert kinds["mitigation_due"] == [officer1]
    assert dpo in kinds["assessment_review_due"]


def test_retention_keeps_assessments_three_years_after_they_end(dpo, purpose):
    from privacy.retention.base import CATEGORIES

    rule = RetentionRule.objects.get(category="impact_assessments")
    assert rule.effective_days >= 3 * 365
    rule.period_days = 100
    with pytest.raises(ValidationError):
        rule.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionRule.objects.filter(pk=rule.pk).update(period_days=100)
    rule.refresh_from_db()
    category = CATEGORIES["impact_assessments"]
    running = f.assessment(dpo, f.partner(dpo), [purpose])
    ended_long_ago = f.assessment(dpo, f.partner(dpo), [purpose])
    ended_recently = f.assessment(dpo, f.partner(dpo), [purpose])
    now = timezone.now()
    ImpactAssessment.objects.filter(pk=ended_long_ago.pk).update(ended_at=now - datetime.timedelta(days=3 * 365 + 2))
    ImpactAssessment.objects.filter(pk=ended_recently.pk).update(ended_at=now - datetime.timedelta(days=3 * 365 - 2))
    ImpactAssessment.objects.filter(pk=running.pk).update(created_at=now - datetime.timedelta(days=3000))
    candidates = set(category.candidates(rule, now).values_list("pk", flat=True))
    assert candidates == {ended_long_ago.pk}
