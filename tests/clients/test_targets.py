"""[L] 考核 targets: who may enter them, completion arithmetic, rankings, filters, the Excel export and
the cockpit's query count."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients import targets
from clients.funds import fund_tranche_add
from clients.models import Department, FundTranche, Project, Stage, StageChange, Target

YEAR = timezone.localdate().year


def dept(code):
    return Department.objects.get(code=code)


def sign(project, day, amount=None):
    """Put a project at 签约 on `day` (directly: the transition rules are not under test here)."""
    fields = {"stage": Stage.SIGNED, "signed_at": day}
    if amount is not None:
        fields["planned_investment"] = amount
    Project.objects.filter(pk=project.pk).update(**fields)


def land(project, day):
    Project.objects.filter(pk=project.pk).update(stage=Stage.LANDED)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    StageChange.objects.create(project=project, from_stage=Stage.SIGNED, to_stage=Stage.LANDED, at=at)


def tranche(project, day, amount):
    return FundTranche.objects.create(project=project, date=day, amount=Decimal(amount), evidence_note="回单")


def target_post(**fields):
    data = {"year": YEAR, "quarter": "", "department": "", "officer": ""}
    data.update({k: ("" if v is None else v) for k, v in fields.items()})
    return data


# --- who may enter targets ----------------------------------------------------------------------


def test_head_sets_a_target_for_own_department_and_its_officer(head1, officer1, client_for):
    client = client_for(head1)
    response = client.post(reverse("clients:target_list"), target_post(department=dept("zs1").pk, signed_projects=5))
    assert response.status_code == 302
    response = client.post(reverse("clients:target_list"), target_post(officer=officer1.pk, funds_arrived="800"))
    assert response.status_code == 302
    assert Target.objects.get(department=dept("zs1"), year=YEAR).signed_projects == 5
    assert Target.objects.get(officer=officer1, year=YEAR).funds_arrived == Decimal("800")


def test_head_cannot_set_another_departments_target(head1, officer2, client_for):
    client = client_for(head1)
    response = client.post(reverse("clients:target_list"), target_post(department=dept("zs2").pk, signed_projects=5))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    response = client.post(reverse("clients:target_list"), target_post(officer=officer2.pk, signed_projects=5))
    assert response.status_code == 200
    assert not Target.objects.exists()
    with pytest.raises(PermissionDenied):
        targets.target_set(user=head1, year=YEAR, department=dept("zs2"), signed_projects=1)


def test_leadership_sets_targets_for_every_department(leader, officer2, client_for):
    client = client_for(leader)
    for code in ("zs1", "zs2", "tcj"):
        response = client.post(reverse("clients:target_list"), target_post(department=dept(code).pk, landed_projects=2))
        assert response.status_code == 302
    assert client.post(reverse("clients:target_list"), target_post(officer=officer2.pk, quarter=2, signed_projects=1))
    assert Target.objects.count() == 4
    assert Target.objects.get(officer=officer2).quarter == 2


def test_officer_is_refused_entry_and_sees_only_own_target(officer1, officer2, head1, client_for):
    targets.target_set(user=head1, year=YEAR, officer=officer1, signed_projects=3)
    targets.target_set(user=head1, year=YEAR, department=dept("zs1"), signed_projects=9)
    client = client_for(officer1)
    response = client.post(reverse("clients:target_list"), target_post(officer=officer1.pk, signed_projects=99))
    assert response.status_code == 403
    assert Target.objects.get(officer=officer1).signed_projects == 3
    page = client.get(reverse("clients:target_list"))
    assert [r.target.officer_id for r in page.context["officer_rows"]] == [officer1.pk]
    assert page.context["department_rows"] == []
    assert page.context["entry_form"] is None
    assert client_for(officer2).get(reverse("clients:target_list")).context["officer_rows"] == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"signed_projects": 3, "department": "zs1", "officer": "officer1"}, "请选择部门或招商人员之一"),
        ({"signed_projects": 3}, "请选择部门或招商人员之一"),
        ({"department": "zs1"}, "请至少填写一项目标值"),
        ({"department": "zs1", "signed_projects": -1}, "目标值不能为负数"),
        ({"department": "zs1", "funds_arrived": "-5"}, "目标值不能为负数"),
        ({"department": "zs1", "signed_projects": "abc"}, "输入"),
        ({"department": "zs1", "signed_projects": 1, "year": "19"}, "年度不能早于 2000 年"),
        ({"department": "zs1", "signed_projects": 1, "quarter": "7"}, "选择一个有效的选项"),
    ],
)
def test_target_form_errors_are_in_chinese(fields, message, org, head1, client_for):
    data = dict(fields)
    if "department" in data:
        data["department"] = dept(data["department"]).pk
    if "officer" in data:
        data["officer"] = org[data["officer"]].pk
    response = client_for(head1).post(reverse("clients:target_list"), target_post(**data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Target.objects.exists()


def test_saving_the_same_subject_and_period_replaces_the_target(head1):
    targets.target_set(user=head1, year=YEAR, department=dept("zs1"), signed_projects=3)
    targets.target_set(user=head1, year=YEAR, department=dept("zs1"), signed_projects=4)
    targets.target_set(user=head1, year=YEAR, quarter=1, department=dept("zs1"), signed_projects=1)
    assert sorted(Target.objects.values_list("quarter", "signed_projects"), key=str) == sorted(
        [(None, 4), (1, 1)], key=str
    )


# --- arithmetic, rankings, filters -------------------------------------------------------------


@pytest.fixture
def achieved(officer1, officer2, officer3, head1, leader, make_project):
    """officer1 (zs1): 2 signed this year for 300 + 500 万元, 1 of them landed, 600 万元 arrived;
    officer3 (zs1-sh, below zs1): 1 signed for 200 万元 in Q2; officer2 (zs2): 1 signed last year."""
    jan, may = datetime.date(YEAR, 1, 15), datetime.date(YEAR, 5, 10)
    a, b = make_project(officer1), make_project(officer1)
    sign(a, jan, 300)
    sign(b, jan, 500)
    land(b, jan + datetime.timedelta(days=20))
    tranche(a, jan, 400)
    tranche(b, jan + datetime.timedelta(days=40), 200)
    tranche(a, datetime.date(YEAR - 1, 12, 31), 999)  # last year: not counted
    c = make_project(officer3)
    sign(c, may, 200)
    d = make_project(officer2)
    sign(d, datetime.date(YEAR - 1, 6, 1), 700)
    targets.target_set(
        user=leader,
        year=YEAR,
        officer=officer1,
        signed_projects=4,
        signed_investment=Decimal(1000),
        funds_arrived=Decimal(500),
        landed_projects=2,
    )
    targets.target_set(user=leader, year=YEAR, officer=officer3, signed_projects=1)
    targets.target_set(user=leader, year=YEAR, officer=officer2, signed_projects=2)
    targets.target_set(user=leader, year=YEAR, department=dept("zs1"), signed_projects=6, signed_investment=2000)
    targets.target_set(user=leader, year=YEAR, department=dept("zs2"), signed_projects=2)
    return {"a": a, "b": b, "c": c, "d": d}


def _metrics(row):
    return {m["name"]: (m["target"], m["actual"], m["rate"]) for m in row.metrics}


def test_completion_arithmetic(achieved, leader, officer1):
    departments, officers = targets.progress(user=leader, year=YEAR)
    row = next(r for r in officers if r.target.officer_id == officer1.pk)
    m = _metrics(row)
    assert m["signed_projects"] == (4, 2, 50.0)
    assert m["signed_investment"] == (Decimal(1000), Decimal(800), 80.0)
    assert m["funds_arrived"] == (Decimal(500), Decimal(600), 120.0)
    assert m["landed_projects"] == (2, 1, 50.0)
    # the mean of the rates, each capped at 100 %: (50 + 80 + 100 + 50) / 4
    assert row.completion == 70.0
    zs1 = next(r for r in departments if r.target.department.code == "zs1")
    # the department counts the department below it (驻上海招商局): 3 projects, 1,000 万元
    assert _metrics(zs1)["signed_projects"] == (6, 3, 50.0)
    assert _metrics(zs1)["signed_investment"] == (Decimal(2000), Decimal(1000), 50.0)
    assert _metrics(zs1)["funds_arrived"][2] is None  # no target: no rate
    assert zs1.completion == 50.0


def test_rankings_are_ordered_by_completion(achieved, leader, officer1, officer2, officer3):
    departments, officers = targets.progress(user=leader, year=YEAR)
    assert [r.target.officer_id for r in officers] == [officer3.pk, officer1.pk, officer2.pk]
    assert [r.completion for r in officers] == [100.0, 70.0, 0.0]
    assert [r.target.department.code for r in departments] == ["zs1", "zs2"]


def test_quarter_filter_counts_the_quarter_only(achieved, leader, officer3):
    targets.target_set(user=leader, year=YEAR, quarter=2, officer=officer3, signed_projects=2)
    targets.target_set(user=leader, year=YEAR, quarter=1, officer=officer3, signed_projects=2)
    _d, q2 = targets.progress(user=leader, year=YEAR, quarter=2)
    _d, q1 = targets.progress(user=leader, year=YEAR, quarter=1)
    assert _metrics(q2[0])["signed_projects"] == (2, 1, 50.0)
    assert _metrics(q1[0])["signed_projects"] == (2, 0, 0.0)


def test_department_filter_on_the_cockpit(achieved, leader, client_for):
    client = client_for(leader)
    response = client.get(reverse("clients:cockpit"), {"year": YEAR, "department": dept("zs2").pk})
    panel = next(p for p in response.context["panels"] if p["template"].endswith("targets.html"))
    assert [r.name for r in panel["department_rows"]] == ["招商二局"]
    assert {r.department_name for r in panel["officer_rows"]} == {"招商二局"}
    funnel = next(p for p in response.context["panels"] if p["template"].endswith("funnel.html"))
    assert sum(s["count"] for s in funnel["stages"]) == 1  # officer2's project only
    everything = client.get(reverse("clients:cockpit"), {"year": YEAR})
    funnel = next(p for p in everything.context["panels"] if p["template"].endswith("funnel.html"))
    assert sum(s["count"] for s in funnel["stages"]) == 4


def test_period_filter_narrows_the_signing_ranking(achieved, leader, client_for):
    client = client_for(leader)
    last_year = client.get(reverse("clients:cockpit"), {"year": YEAR - 1})
    ranking = next(p for p in last_year.context["panels"] if p["template"].endswith("ranking.html"))
    assert [r["n"] for r in ranking["by_department"]] == [1]
    assert ranking["by_department"][0]["name"] == "招商二局"


def test_head_sees_own_departments_progress_only(achieved, head1, officer2):
    departments, officers = targets.progress(user=head1, year=YEAR)
    assert [r.target.department.code for r in departments] == ["zs1"]
    assert officer2.pk not in [r.target.officer_id for r in officers]


def test_bad_filter_values_fall_back_to_this_year(leader, client_for):
    response = client_for(leader).get(reverse("clients:cockpit"), {"year": "abc", "quarter": "9", "department": "x"})
    assert response.status_code == 200
    response = client_for(leader).get(reverse("clients:target_list"), {"year": "-1"})
    assert response.status_code == 200
    assert str(YEAR) in response.context["period_label"]


def test_head_dashboard_shows_team_and_targets(achieved, head1, client_for):
    body = client_for(head1).get(reverse("core:dashboard")).content.decode()
    assert 'id="panel-targets"' in body
    assert "团队与考核目标" in body
    assert 'class="target-progress' in body


# --- export ---------------------------------------------------------------------------------------


def test_xlsx_export_is_formula_safe_with_a_translated_sheet_name(achieved, leader, client_for):
    Department.objects.filter(code="zs2").update(name="=HYPERLINK(1)")
    response = client_for(leader).get(reverse("clients:target_export"), {"year": YEAR})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.title == f"考核目标 {YEAR}年度"
    rows = list(sheet.iter_rows(values_only=True))
    names = [r[1] for r in rows[1:]]
    assert "'=HYPERLINK(1)" in names
    assert "=HYPERLINK(1)" not in names
    zs1 = next(r for r in rows if r[1] == "招商一局")
    assert zs1[3] == 50.0  # completion
    english = client_for(leader)
    english.cookies["django_language"] = "en"
    sheet = openpyxl.load_workbook(io.BytesIO(english.get(reverse("clients:target_export")).content)).worksheets[0]
    assert sheet.title.startswith("Targets")


def test_export_refused_to_officer(officer1, client_for):
    assert client_for(officer1).get(reverse("clients:target_export")).status_code == 403


# --- query count ------------------------------------------------------------------------------------


def _count(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"year": YEAR, "quarter": 1}])
def test_leadership_cockpit_queries_do_not_grow_with_data(params, leader, officer1, officer2, make_project, client_for):
    client = client_for(leader)
    url = reverse("clients:cockpit")
    if params:
        params["department"] = dept("zs1").pk

    def add(n):
        for i in range(n):
            owner = officer1 if i % 2 else officer2
            project = make_project(owner)
            sign(project, datetime.date(YEAR, 1, 1 + i % 28), 100 + i)
            fund_tranche_add(
                user=owner, project=project, date=datetime.date(YEAR, 1, 2), amount=Decimal(10), evidence_note="x"
            )
            targets.target_set(
                user=leader, year=YEAR, quarter=params.get("quarter"), officer=owner, signed_projects=i + 1
            )

    add(3)
    _count(client, url, params)
    few = _count(client, url, params)
    add(30)
    assert _count(client, url, params) == few
    assert few <= 15
