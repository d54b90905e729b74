"""Enterprises, projects, follow-ups, reveals, consent and counts through the API: the portal's rules."""

import pytest
from auditlog.models import LogEntry

from audit.models import AccessEvent
from clients import services
from clients.models import Enterprise, FollowUp, Project, StageChange

from .conftest import credit_code, error


@pytest.fixture
def head_api(make_integration, api):
    integration = make_integration("dept_head")
    return integration, api(integration)


def test_enterprise_search_by_name_and_credit_code(head_api, officer1, make_enterprise):
    _integration, client = head_api
    target = make_enterprise(officer1, name="星河新材料科技有限公司")
    make_enterprise(officer1, name="远山物流有限公司")
    assert [e["id"] for e in client.get("/api/v1/enterprises/", {"q": "星河"}).json()["results"]] == [target.pk]
    by_code = client.get("/api/v1/enterprises/", {"q": target.credit_code.lower()}).json()["results"]
    assert [e["id"] for e in by_code] == [target.pk]
    exact = client.get("/api/v1/enterprises/", {"credit_code": target.credit_code}).json()["results"]
    assert [e["name"] for e in exact] == ["星河新材料科技有限公司"]


def test_enterprise_create_runs_the_same_duplicate_check(head_api, officer2, make_enterprise):
    integration, client = head_api
    existing = make_enterprise(officer2, name="华东精密机械有限公司")  # another department's
    response = client.post("/api/v1/enterprises/", {"name": "新公司", "credit_code": existing.credit_code})
    assert response.status_code == 409
    body = error(response)
    assert body["code"] == "duplicate" and "credit_code" in body["fields"]
    response = client.post("/api/v1/enterprises/", {"name": "华东精密机械股份有限公司"})
    assert response.status_code == 409
    assert error(response)["code"] == "possible_duplicate"
    assert "华东精密机械有限公司" in error(response)["message"]
    code = credit_code()
    response = client.post(
        "/api/v1/enterprises/",
        {"name": "华东精密机械股份有限公司", "credit_code": code, "industry": "C", "confirm_not_duplicate": True},
    )
    assert response.status_code == 201, response.content
    created = Enterprise.objects.get(pk=response.json()["id"])
    assert created.owner == integration.service_user and created.reported_by == integration.service_user
    assert created.department.code == "zs1"
    assert LogEntry.objects.get_for_object(created).filter(actor=integration.service_user).exists()


@pytest.mark.parametrize(
    "payload,field",
    [
        ({}, "name"),
        ({"name": "甲公司", "credit_code": "123"}, "credit_code"),
        ({"name": "甲公司", "industry": "Z"}, "industry"),
        ({"name": "甲公司", "registered_capital": "-1"}, "registered_capital"),
        ({"name": "甲公司", "registered_capital": "1e20"}, "registered_capital"),
        ({"name": "x" * 201}, "name"),
        ({"name": "甲\x00公司"}, "name"),
    ],
)
def test_bad_enterprise_input_answers_400_with_chinese_field_errors(head_api, payload, field):
    _integration, client = head_api
    response = client.post("/api/v1/enterprises/", payload)
    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "invalid"
    assert field in body["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(body["fields"][field])), body


def test_project_filters(head_api, officer1, officer3, make_project):
    from datetime import timedelta

    from django.utils import timezone

    _integration, client = head_api
    a = make_project(officer1)
    b = make_project(officer3)
    services.project_change_stage(user=officer3, project=b, to_stage="visit")
    Project.objects.filter(pk=a.pk).update(updated_at=timezone.now() - timedelta(days=10))

    def ids(**params):
        response = client.get("/api/v1/projects/", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(stage="visit") == [b.pk]
    assert ids(department=a.department_id) == [a.pk]
    assert ids(updated_since=(timezone.now() - timedelta(days=1)).isoformat()) == [b.pk]
    assert ids(enterprise=a.enterprise_id) == [a.pk]
    for bad in (
        {"stage": "nope"},
        {"department": "x"},
        {"updated_since": "yesterday"},
        {"updated_since": "0001-01-01T00:00:00+14:00"},
    ):
        response = client.get("/api/v1/projects/", bad)
        assert response.status_code == 400, bad
        assert list(error(response)["fields"]) == list(bad)


def test_stage_change_goes_through_the_service_with_its_rules_and_audit(head_api, officer1, make_project):
    integration, client = head_api
    project = make_project(officer1)
    url = f"/api/v1/projects/{project.pk}/stage/"
    # A head-role account that heads no department may look but not write (as in the portal) ...
    response = client.post(url, {"stage": "contacted"})
    assert response.status_code == 403
    # ... until the owner takes it on as a 协办 with write access.
    services.collaborator_add(by=officer1, obj=project, user=integration.service_user, write=True)
    response = client.post(url, {"stage": "terminated"})
    assert response.status_code == 400
    assert "终止原因" in error(response)["message"]
    response = client.post(url, {"stage": "contacted"})
    assert response.status_code == 200
    assert response.json()["stage"] == "contacted" and response.json()["stage_label"] == "接洽"
    change = StageChange.objects.filter(project=project).latest("at")
    assert (change.from_stage, change.to_stage, change.by) == ("lead", "contacted", integration.service_user)
    assert LogEntry.objects.get_for_object(project).filter(actor=integration.service_user).exists()
    response = client.post(url, {"stage": "contacted"})
    assert response.status_code == 400
    assert "已处于该阶段" in error(response)["message"]


def test_followups_are_listed_masked_with_an_access_event_and_created_through_the_service(
    head_api, officer1, make_project
):
    import datetime

    integration, client = head_api
    project = make_project(officer1)
    services.collaborator_add(by=officer1, obj=project, user=integration.service_user, write=True)
    services.followup_create(
        user=officer1,
        project=project,
        date=datetime.date(2026, 3, 1),
        method="phone",
        summary="与张三总经理电话沟通用地",
    )
    url = f"/api/v1/projects/{project.pk}/followups/"
    body = client.get(url).json()
    assert body["results"][0]["summary"] == "与***"
    assert "张三" not in str(body)
    event = AccessEvent.objects.get(user=integration.service_user, action="view")
    assert event.object_id == str(project.pk)
    assert event.detail["integration"] == integration.code
    response = client.post(
        url, {"date": "2026-03-02", "method": "visit", "summary": "上门拜访", "next_contact_date": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "next_contact_date" in error(response)["fields"]
    response = client.post(url, {"date": "2026-03-02", "method": "visit", "summary": "上门拜访"})
    assert response.status_code == 201
    assert FollowUp.objects.get(pk=response.json()["id"]).author == integration.service_user
    assert FollowUp.objects.filter(project=project, superseded=False).count() == 1


@pytest.fixture
def contact(officer1, make_enterprise):
    enterprise = make_enterprise(officer1)
    return services.contact_create(
        user=officer1, enterprise=enterprise, name="欧阳娜娜", mobile="13812345678", email="nana@example.cn"
    )


def test_enterprise_detail_masks_contacts_and_records_the_read(head_api, contact):
    integration, client = head_api
    body = client.get(f"/api/v1/enterprises/{contact.enterprise_id}/").json()
    assert body["contacts"] == [
        {
            "id": contact.pk,
            "name": "欧***",
            "mobile": "138****5678",
            "email": "n***@example.cn",
            "wechat": "",
            "id_number": "",
            "position": "",
            "verified": False,
        }
    ]
    event = AccessEvent.objects.get(user=integration.service_user, action="view")
    assert list(event.subjects.values_list("contact_id", flat=True)) == [contact.pk]


def test_reveal_needs_a_purpose_names_the_integration_and_counts_toward_the_daily_limit(
    head_api, contact, settings, client, org
):
    integration, api_client = head_api
    url = f"/api/v1/contacts/{contact.pk}/reveal/"
    response = api_client.post(url, {"field": "mobile"})
    assert response.status_code == 400 and "purpose" in error(response)["fields"]
    response = api_client.post(url, {"field": "mobile", "purpose": "other"})
    assert response.status_code == 400 and "note" in error(response)["fields"]
    response = api_client.post(url, {"field": "mobile", "purpose": "call"})
    assert response.status_code == 200
    assert response.json() == {"field": "mobile", "value": "13812345678"}
    assert "no-store" in response["Cache-Control"]
    event = AccessEvent.objects.get(user=integration.service_user, action="reveal")
    assert integration.name in event.purpose and event.detail == {"field": "mobile"}
    settings.REVEAL_DAILY_LIMIT = 2
    assert api_client.post(url, {"field": "email", "purpose": "mail"}).status_code == 200
    response = api_client.post(url, {"field": "name", "purpose": "call"})
    assert response.status_code == 429
    assert error(response)["code"] == "reveal_limit" and "上限" in error(response)["message"]


def test_consent_state_is_masked_and_logged(head_api, contact):
    from privacy.consent import services as privacy_services
    from privacy.models import Purpose

    integration, client = head_api
    purpose = Purpose.objects.filter(is_active=True, requires_separate_consent=False, legal_basis="consent").first()
    privacy_services.consent_grant(contact=contact, purpose=purpose, channel="selfservice", actor=None)
    body = client.get(f"/api/v1/contacts/{contact.pk}/consent/").json()
    assert body["contact"] == {"id": contact.pk, "name": "欧***", "enterprise_id": contact.enterprise_id}
    row = next(p for p in body["purposes"] if p["code"] == purpose.code)
    assert row["granted"] is True
    assert "欧阳娜娜" not in str(body) and "13812345678" not in str(body)
    assert AccessEvent.objects.filter(user=integration.service_user, action="view", object_id=str(contact.pk)).exists()


def test_counts_are_computed_inside_the_scope(make_integration, api, officer1, officer2, make_project):
    make_project(officer1)
    make_project(officer2)
    head = api(make_integration("dept_head")).get("/api/v1/counts/").json()
    dpo = api(make_integration("privacy_officer")).get("/api/v1/counts/").json()
    assert head["projects"]["total"] == 1 and head["projects"]["by_stage"]["lead"] == 1
    assert dpo["projects"]["total"] == 2 and dpo["enterprises"]["total"] == 2
    assert "complaints" in dpo and set(dpo["complaints"]) == {"open", "overdue"}


def test_reveal_through_the_api_needs_the_service_users_training_too(head_api, contact, settings, dpo):
    """The training gate is the access trail's (audit.access): the API's reveal meets it as the
    portal's does, answered with the API's error shape and a Chinese message; a completion opens it."""
    import datetime

    from django.utils import timezone

    from privacy.training import services as training

    integration, api_client = head_api
    settings.REVEAL_REQUIRES_TRAINING = True
    url = f"/api/v1/contacts/{contact.pk}/reveal/"
    response = api_client.post(url, {"field": "mobile", "purpose": "call"})
    assert response.status_code == 403
    assert "培训" in error(response)["message"] and "13812345678" not in response.content.decode()
    assert not AccessEvent.objects.filter(user=integration.service_user, action="reveal").exists()
    course = training.course_create(
        user=dpo, title="个人信息保护基础", audience_roles=[], validity_months=12, link="https://learn.example.cn/pipl"
    )
    training.completion_record(
        user=dpo,
        course=course,
        person=integration.service_user,
        completed_on=timezone.localdate() - datetime.timedelta(days=1),
        passed=True,
        score=90,
    )
    response = api_client.post(url, {"field": "mobile", "purpose": "call"})
    assert response.status_code == 200 and response.json()["value"] == "13812345678"
