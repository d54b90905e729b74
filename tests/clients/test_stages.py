"""The stage transitions table, enforced by the one stage service (portal and API), and the
loss-analysis panel built on the reason codes."""

import pytest
from django.urls import reverse

from clients import services, stages
from clients.loss import loss_analysis
from clients.models import LossReason, Stage


def _move(user, project, to_stage, **kw):
    return services.project_change_stage(user=user, project=project, to_stage=to_stage, **kw)


def test_the_table_allows_forward_jumps_and_every_back_move_needs_a_reason():
    pipeline = [Stage.LEAD, Stage.CONTACTED, Stage.VISIT, Stage.NEGOTIATION, Stage.SIGNED, Stage.LANDED]
    for i, a in enumerate(pipeline):
        for j, b in enumerate(pipeline):
            expected = None if i == j else (stages.FORWARD if j > i else stages.BACK)
            assert stages.transition_kind(a, b) == expected, (a, b)
    assert stages.transition_kind(Stage.LANDED, Stage.TERMINATED) is None
    assert stages.transition_kind(Stage.TERMINATED, Stage.LANDED) is None
    assert stages.transition_kind(Stage.TERMINATED, Stage.NEGOTIATION) == stages.REOPEN
    assert stages.check_transition(Stage.SIGNED, Stage.LEAD) == "退回到之前的阶段须说明原因。"
    assert stages.check_transition(Stage.SIGNED, Stage.LEAD, reason="签约被撤回") == ""


def test_forward_several_steps_without_reason(officer1, make_project):
    project = _move(officer1, make_project(officer1), Stage.NEGOTIATION)
    assert project.stage == Stage.NEGOTIATION


def test_back_without_reason_is_refused_and_with_reason_recorded(officer1, make_project):
    project = _move(officer1, make_project(officer1), Stage.SIGNED)
    with pytest.raises(services.ServiceError, match="退回"):
        _move(officer1, project, Stage.VISIT)
    project = _move(officer1, project, Stage.VISIT, reason="企业要求重新考察")
    assert project.stage_changes.last().note == "企业要求重新考察"


def test_termination_needs_a_reason_code_and_text_and_records_the_stage_lost_at(officer1, make_project):
    project = _move(officer1, make_project(officer1), Stage.VISIT)
    with pytest.raises(services.ServiceError, match="原因分类"):
        _move(officer1, project, Stage.TERMINATED, reason="落户他市")
    with pytest.raises(services.ServiceError, match="终止原因"):
        _move(officer1, project, Stage.TERMINATED, loss_reason="relocated")
    with pytest.raises(services.ServiceError, match="未知或已停用"):
        _move(officer1, project, Stage.TERMINATED, loss_reason="no-such-code", reason="x")
    project = _move(officer1, project, Stage.TERMINATED, loss_reason="relocated", reason="落户他市")
    assert project.loss_reason.code == "relocated" and project.lost_at_stage == Stage.VISIT
    assert project.stage_changes.last().loss_reason.code == "relocated"


def test_a_retired_reason_code_cannot_be_chosen(officer1, make_project):
    LossReason.objects.filter(code="other").update(active=False)
    with pytest.raises(services.ServiceError, match="未知或已停用"):
        _move(officer1, make_project(officer1), Stage.TERMINATED, loss_reason="other", reason="x")


def test_reopening_needs_a_reason_and_clears_the_loss(officer1, make_project):
    project = _move(officer1, make_project(officer1), Stage.TERMINATED, loss_reason="funding", reason="资金未落实")
    with pytest.raises(services.ServiceError, match="重新启动"):
        _move(officer1, project, Stage.CONTACTED)
    with pytest.raises(services.ServiceError, match="不能从"):
        _move(officer1, project, Stage.LANDED, reason="x")
    project = _move(officer1, project, Stage.CONTACTED, reason="企业重新联系")
    assert project.loss_reason is None and project.lost_at_stage == "" and project.termination_reason == ""


def test_portal_form_goes_through_the_table(client_for, officer1, make_project):
    project = _move(officer1, make_project(officer1), Stage.SIGNED)
    client = client_for(officer1)
    response = client.post(reverse("clients:project_stage", args=[project.pk]), {"stage": "lead"}, follow=True)
    assert "退回到之前的阶段须说明原因" in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED
    client.post(
        reverse("clients:project_stage", args=[project.pk]),
        {"stage": "terminated", "loss_reason": "policy", "reason": "扶持政策未谈拢"},
    )
    project.refresh_from_db()
    assert project.stage == Stage.TERMINATED and project.loss_reason.code == "policy"
    page = client.get(reverse("clients:project_detail", args=[project.pk])).content.decode()
    assert "政策或扶持条件未谈拢" in page and "终止于签约阶段" in page


def test_loss_panel_sums_by_reason_stage_and_department(client_for, org, officer1, officer2, head1, make_project):
    for stage, code in [(Stage.VISIT, "relocated"), (Stage.VISIT, "relocated"), (Stage.NEGOTIATION, "funding")]:
        project = make_project(officer1)
        if stage != Stage.LEAD:
            _move(officer1, project, stage)
        _move(officer1, project, Stage.TERMINATED, loss_reason=code, reason="原因")
    other = make_project(officer2)  # another department: outside head1's scope
    _move(officer2, other, Stage.TERMINATED, loss_reason="land", reason="原因")

    analysis = loss_analysis(head1)
    assert analysis["total"] == 3
    assert {r["name"]: r["n"] for r in analysis["by_reason"]} == {"选址其他地区": 2, "资金不到位": 1}
    assert {s["code"]: s["n"] for s in analysis["by_stage"] if s["n"]} == {"visit": 2, "negotiation": 1}
    assert {d["name"]: d["n"] for d in analysis["by_department"]} == {"招商一局": 3}
    assert loss_analysis(org["admin"])["total"] == 4

    body = client_for(head1).get(reverse("core:dashboard")).content.decode()
    assert 'id="panel-loss"' in body and "选址其他地区" in body and "用地或载体条件不满足" not in body
    # officers do not get the team analysis
    assert 'id="panel-loss"' not in client_for(officer1).get(reverse("core:dashboard")).content.decode()


def test_portal_says_why_a_move_outside_the_table_is_refused(client_for, officer1, make_project):
    project = _move(officer1, make_project(officer1), Stage.LANDED)
    response = client_for(officer1).post(
        reverse("clients:project_stage", args=[project.pk]),
        {"stage": "terminated", "loss_reason": "other", "reason": "x"},
        follow=True,
    )
    assert "不能从「注册落地」直接变更为「终止」" in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.LANDED
