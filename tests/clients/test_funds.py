"""[L] 到资 tranches on a project: the form, the totals per month next to signed investment, planned
against actual for 开工 / 到资 / 投产, and the change trail."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from clients import funds
from clients.models import FundTranche, Milestone, Project, Stage

TODAY = timezone.localdate()


def _post(client, project, **fields):
    data = {f"tranche-{k}": v for k, v in fields.items()}
    return client.post(reverse("clients:project_tranche_add", args=[project.pk]), data, follow=True)


def test_owner_records_a_tranche_and_sees_it_with_the_total(officer1, make_project, client_for):
    project = make_project(officer1)
    client = client_for(officer1)
    _post(client, project, date=TODAY.isoformat(), amount="1200.50", evidence_note="工行回单 0001")
    response = _post(client, project, date=TODAY.isoformat(), amount="300", evidence_note="工行回单 0002")
    body = response.content.decode()
    assert "到位资金已记录" in body
    assert FundTranche.objects.filter(project=project).count() == 2
    assert response.context["tranches_total"] == Decimal("1500.50")
    assert "工行回单 0002" in body
    assert 'id="funds-total"' in body


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "0", "evidence_note": "x"}, "到位金额须大于零"),
        ({"amount": "-3", "evidence_note": "x"}, "到位金额须大于零"),
        ({"amount": "abc", "evidence_note": "x"}, "请输入金额"),
        ({"amount": "10", "evidence_note": ""}, "请填写凭证说明"),
        ({"amount": "10", "evidence_note": "x", "date": "2999-01-01"}, "到账日期不能晚于今天"),
        ({"amount": "10", "evidence_note": "x", "date": "yesterday"}, "请输入有效日期"),
    ],
)
def test_bad_tranche_gets_a_chinese_message(fields, message, officer1, make_project, client_for):
    project = make_project(officer1)
    fields = {"date": TODAY.isoformat(), **fields}
    response = _post(client_for(officer1), project, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FundTranche.objects.exists()


def test_tranche_refused_outside_scope_and_for_read_only_roles(officer1, officer2, leader, make_project):
    project = make_project(officer1)
    for user in (officer2, leader):
        with pytest.raises(PermissionDenied):
            funds.fund_tranche_add(user=user, project=project, date=TODAY, amount=Decimal(1), evidence_note="x")


def test_leader_sees_the_tranches_but_no_form(officer1, leader, make_project, client_for):
    project = make_project(officer1)
    funds.fund_tranche_add(user=officer1, project=project, date=TODAY, amount=Decimal(5), evidence_note="回单")
    response = client_for(leader).get(project.get_absolute_url())
    assert response.status_code == 200
    assert response.context["tranche_form"] is None
    assert len(response.context["tranches"]) == 1


def test_tranche_is_in_the_change_trail(officer1, make_project):
    from auditlog.models import LogEntry

    project = make_project(officer1)
    tranche = funds.fund_tranche_add(
        user=officer1, project=project, date=TODAY, amount=Decimal(5), evidence_note="回单"
    )
    assert LogEntry.objects.get_for_object(tranche).filter(action=LogEntry.Action.CREATE).exists()


def test_totals_per_month_and_the_chart_next_to_signed_investment(officer1, head1, make_project, client_for):
    this_month = TODAY.replace(day=1)
    last_month = funds.month_start(TODAY, 1)
    a, b = make_project(officer1), make_project(officer1)
    Project.objects.filter(pk=a.pk).update(stage=Stage.SIGNED, signed_at=this_month, planned_investment=900)
    for project, day, amount in ((a, this_month, 100), (b, this_month, 50), (a, last_month, 25), (a, last_month, 5)):
        funds.fund_tranche_add(user=officer1, project=project, date=day, amount=Decimal(amount), evidence_note="x")
    by_month = funds.funds_by_month(Project.objects.all(), funds.month_start(TODAY, 11), TODAY)
    assert by_month == {this_month.strftime("%Y-%m"): Decimal(150), last_month.strftime("%Y-%m"): Decimal(30)}
    response = client_for(head1).get(reverse("clients:cockpit"))
    panel = next(p for p in response.context["panels"] if p["template"].endswith("signed.html"))
    signed, arrived = (s["values"] for s in panel["chart"]["series"])
    assert signed[-1] == 900.0 and arrived[-1] == 150.0 and arrived[-2] == 30.0
    assert panel["arrived_total"] == 180.0
    assert "180.00" in response.content.decode() or "180" in response.content.decode()


def test_plan_against_actual(officer1, make_project, client_for):
    project = make_project(officer1)
    client = client_for(officer1)
    url = reverse("clients:project_plan_set", args=[project.pk])
    planned = TODAY - datetime.timedelta(days=30)
    client.post(url, {"plan-kind": "funding", "plan-planned_date": planned.isoformat(), "plan-planned_amount": "100"})
    client.post(url, {"plan-kind": "groundbreaking", "plan-planned_date": planned.isoformat()})
    response = client.post(url, {"plan-kind": "funding", "plan-planned_date": planned.isoformat()}, follow=True)
    assert "到资节点须填写计划金额" in response.content.decode()
    Milestone.objects.create(project=project, kind="groundbreaking", date=planned - datetime.timedelta(days=1))
    funds.fund_tranche_add(
        user=officer1, project=project, date=TODAY - datetime.timedelta(days=40), amount=Decimal(60), evidence_note="x"
    )
    funds.fund_tranche_add(
        user=officer1, project=project, date=TODAY - datetime.timedelta(days=10), amount=Decimal(50), evidence_note="x"
    )
    rows = {r["kind"]: r for r in client.get(project.get_absolute_url()).context["plan_rows"]}
    assert rows["groundbreaking"]["late"] is False
    assert rows["funding"]["planned_amount"] == Decimal(100)
    assert rows["funding"]["actual_amount"] == Decimal(110)
    # the planned amount was reached by the second tranche, after the planned date: late
    assert rows["funding"]["actual_date"] == TODAY - datetime.timedelta(days=10)
    assert rows["funding"]["late"] is True
    assert rows["production"]["planned_date"] is None and rows["production"]["late"] is False
