"""Behaviour of the case pages beyond the permission matrix: 查重, dashboard panels in scope, follow-ups."""

import datetime

from django.urls import reverse

from clients import services
from clients.models import Enterprise, Project


def test_creating_a_duplicate_shows_who_owns_it_and_creates_nothing(officer1, officer2, make_enterprise, client_for):
    existing = make_enterprise(officer2, name="宁波海联物流有限公司")
    services.contact_create(
        user=officer2,
        enterprise=existing,
        name="秘密联系人",
        mobile="13711112222",
        source="client",
        purpose="investment_liaison",
    )
    response = client_for(officer1).post(
        reverse("clients:enterprise_create"),
        {
            "name": "宁波海联物流有限公司",
            "credit_code": existing.credit_code,
            "capital_currency": "CNY",
            "source": "client",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert Enterprise.objects.count() == 1
    assert "已报备" in body and "刘洋" in body  # officer2's staff name, so officer1 can ask
    assert "/clients/enterprises/request-collaboration/" in body  # a signed 申请协办 link, not the id
    assert f"/{existing.pk}/request-collaboration/" not in body
    assert "137" not in body and "秘密" not in body  # no personal data of the out-of-scope record


def test_similar_name_needs_confirmation_then_creates(officer1, officer2, make_enterprise, client_for):
    make_enterprise(officer2, name="苏州恒达精密机械有限公司")
    client = client_for(officer1)
    data = {"name": "苏州恒达精密机械股份有限公司", "capital_currency": "CNY", "source": "client"}
    assert client.post(reverse("clients:enterprise_create"), data).status_code == 200
    assert Enterprise.objects.count() == 1
    response = client.post(reverse("clients:enterprise_create"), {**data, "confirm_not_duplicate": "1"})
    assert response.status_code == 302 and Enterprise.objects.count() == 2


def test_dashboard_figures_stay_in_scope(officer1, officer2, head1, org, make_project, client_for):
    project = make_project(officer1, title="一局的项目")
    services.project_change_stage(user=officer1, project=project, to_stage="negotiation")
    services.followup_create(
        user=officer1,
        project=project,
        date=datetime.date.today() - datetime.timedelta(days=10),
        method="phone",
        summary="电话",
        next_contact_date=datetime.date.today() - datetime.timedelta(days=3),
    )
    mine = client_for(officer1).get(reverse("core:dashboard")).content.decode()
    assert "一局的项目" in mine
    assert "panel-overdue" in mine and "应于" in mine
    theirs = client_for(officer2).get(reverse("core:dashboard")).content.decode()
    assert "一局的项目" not in theirs
    # the team funnel is the heads' panel, each in their own department's scope
    team = client_for(head1).get(reverse("core:dashboard")).content.decode()
    assert 'data-stage="negotiation">1<' in team
    other_team = client_for(org["head2"]).get(reverse("core:dashboard")).content.decode()
    assert 'data-stage="negotiation">0<' in other_team


def test_followup_restarts_the_pool_clock_and_clears_overdue(officer1, make_project):
    project = make_project(officer1)
    Project.objects.filter(pk=project.pk).update(
        last_activity_at=project.last_activity_at - datetime.timedelta(days=40)
    )
    services.followup_create(user=officer1, project=project, date=datetime.date.today(), method="visit", summary="拜访")
    project.refresh_from_db()
    assert (datetime.datetime.now(datetime.UTC) - project.last_activity_at).total_seconds() < 60


def test_follow_up_form_errors_are_chinese(officer1, make_project, client_for):
    project = make_project(officer1)
    response = client_for(officer1).post(
        reverse("clients:followup_create", args=[project.pk]),
        {"date": "2026-05-10", "method": "phone", "summary": "x", "next_contact_date": "2026-05-01"},
    )
    assert response.status_code == 200
    assert "下次联系日期不能早于跟进日期" in response.content.decode()
