"""Incident and training pages: the anonymous / no permission / wrong scope / allowed matrix, the
anomaly that opens an incident, names shown only to the privacy officer, bad input answered."""

import pytest
from django.utils import timezone

from privacy.incidents import services as incident_services
from privacy.training import services as training_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(dpo):
    return incident_services.incident_create(
        user=dpo, title="事件", detected_at=timezone.now(), kind="leak", level="large", description="经过"
    )


@pytest.fixture
def course(dpo):
    return training_services.course_create(
        user=dpo, title="基础", audience_roles=[], validity_months=12, link="https://x.example.cn"
    )


READ_PAGES = [
    "/privacy/incidents/",
    "/privacy/incidents/{incident}/",
    "/privacy/incidents/drills/",
    "/privacy/training/",
    "/privacy/training/courses/{course}/",
    "/privacy/training/partners/",
    "/privacy/training/recognitions/",
]


@pytest.mark.parametrize("path", READ_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("officer1", 404), ("head1", 404), ("handler", 404), ("auditor", 200), ("dpo", 200)],
)
def test_read_pages_matrix(client_for, org, incident, course, path, who, status):
    client = client_for(org[who] if who else None)
    response = client.get(path.format(incident=incident.pk, course=course.pk))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/privacy/incidents/{incident}/tasks/", {"title": "x"}),
        ("/privacy/incidents/{incident}/notify/", {}),
        ("/privacy/incidents/{incident}/close/", {"root_cause": "a", "lessons": "b"}),
        ("/privacy/incidents/{incident}/people/", {"mode": "list", "contact_ids": "1"}),
    ],
)
@pytest.mark.parametrize(("who", "status"), [(None, 302), ("officer1", 404), ("auditor", 403)])
def test_writes_refused_to_others(client_for, org, incident, path, data, who, status):
    response = client_for(org[who] if who else None).post(path.format(incident=incident.pk), data)
    assert response.status_code == status
    assert incident.timeline.count() == 1  # only the registration


def test_create_refused_to_auditor_and_officer(client_for, auditor, officer1):
    assert client_for(auditor).get("/privacy/incidents/new/").status_code == 403
    assert client_for(officer1).get("/privacy/incidents/new/").status_code == 404


def test_open_incident_from_anomaly_prefills(client_for, dpo, officer1):
    from audit.models import Anomaly

    anomaly = Anomaly.objects.create(kind="off_hours", user=officer1, day=timezone.localdate(), count=7, detail={})
    client = client_for(dpo)
    assert f"/privacy/incidents/new/?anomaly={anomaly.pk}" in client.get("/audit/anomalies/").content.decode()
    page = client.get(f"/privacy/incidents/new/?anomaly={anomaly.pk}").content.decode()
    assert f"#{anomaly.pk}" in page and "未授权访问" in page
    response = client.post(
        "/privacy/incidents/new/",
        {
            "anomaly": anomaly.pk,
            "title": "非工作时间访问",
            "detected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "kind": "unauthorised",
            "level": "general",
            "description": "经过",
        },
    )
    assert response.status_code == 302
    from privacy.incidents.models import Incident

    incident = Incident.objects.get()
    assert incident.source_anomaly == anomaly
    detail = client.get(response["Location"]).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in detail  # the period pre-filled for the people query


def test_bad_input_gets_a_message_not_a_500(client_for, dpo, incident):
    client = client_for(dpo)
    response = client.post(
        f"/privacy/incidents/{incident.pk}/people/", {"mode": "list", "contact_ids": "abc"}, follow=True
    )
    assert response.status_code == 200 and "联系人编号只能是数字" in response.content.decode()
    response = client.post(f"/privacy/incidents/{incident.pk}/notify/", follow=True)
    assert "告知内容缺少" in response.content.decode()
    future = client.post(
        "/privacy/incidents/new/",
        {"title": "x", "detected_at": "2999-01-01T00:00", "kind": "leak", "level": "major", "description": "d"},
    )
    assert future.status_code == 200 and "不能晚于现在" in future.content.decode()


def test_names_of_affected_people_only_for_the_privacy_officer(client_for, dpo, auditor, incident, make_contact):
    contact = make_contact(name="欧阳锋")
    incident_services.incident_select_people(incident=incident, user=dpo, contact_ids=[contact.pk], selection={})
    assert "欧阳锋" in client_for(dpo).get(f"/privacy/incidents/{incident.pk}/").content.decode()
    page = client_for(auditor).get(f"/privacy/incidents/{incident.pk}/").content.decode()
    assert "欧阳锋" not in page and 'id="affected-count">1<' in page


def test_coverage_scoped_for_department_heads(client_for, head1, officer1, officer2, dpo, course):
    training_services.completion_record(
        user=dpo, course=course, person=officer2, completed_on=timezone.localdate(), passed=True
    )
    page = client_for(head1).get("/privacy/training/coverage/").content.decode()
    assert "本部门" in page and "招商二局" not in page
    assert client_for(officer1).get("/privacy/training/coverage/").status_code == 404
    page = client_for(dpo).get("/privacy/training/coverage/").content.decode()
    assert "招商二局" in page
    untrained = page.split('id="untrained"')[1]
    assert (
        f"/privacy/training/staff/{head1.pk}/" in untrained
        and f"/privacy/training/staff/{officer2.pk}/" not in untrained
    )


def test_staff_page_scope(client_for, org, head1, officer1, dpo):
    training_services.recognition_add(
        user=dpo, person=officer1, awarded_on=timezone.localdate(), title="规范处理个人信息"
    )
    path = f"/privacy/training/staff/{officer1.pk}/"
    for user in (officer1, head1, dpo):
        page = client_for(user).get(path)
        assert page.status_code == 200 and "规范处理个人信息" in page.content.decode()
    assert client_for(org["head2"]).get(path).status_code == 404
    assert client_for(None).get(path).status_code == 302
    assert client_for(officer1).get("/privacy/training/me/")["Location"] == path


def test_course_material_is_stored_encrypted_and_downloads(client_for, dpo, auditor, officer1, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client_for(dpo).post(
        "/privacy/training/new/",
        {"title": "材料课程", "validity_months": 12, "material": SimpleUploadedFile("m.pdf", pdf, "application/pdf")},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    from privacy.training.models import Course

    course = Course.objects.get(title="材料课程")
    assert pdf not in (tmp_path / course.material.name).read_bytes()
    assert client_for(auditor).get(f"/privacy/training/courses/{course.pk}/material/").content == pdf
    assert client_for(officer1).get(f"/privacy/training/courses/{course.pk}/material/").status_code == 404
    empty = client_for(dpo).post("/privacy/training/new/", {"title": "空", "validity_months": 12})
    assert empty.status_code == 400 and "请上传培训材料或填写课程链接" in empty.content.decode()


def test_incident_workflow_through_the_pages(client_for, dpo, officer1, make_contact):
    from privacy.incidents.models import Incident

    contact = make_contact()
    client = client_for(dpo)
    response = client.post(
        "/privacy/incidents/new/",
        {
            "title": "误发邮件",
            "detected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "kind": "leak",
            "level": "large",
            "description": "名单误发给无关单位",
            "data_categories": ["identity", "contact"],
        },
    )
    incident = Incident.objects.get()
    base = f"/privacy/incidents/{incident.pk}/"
    assert response["Location"] == base and incident.data_categories == ["identity", "contact"]
    client.post(base + "people/", {"mode": "list", "contact_ids": f"{contact.pk}"})
    client.post(base + "tasks/", {"title": "要求对方删除", "owner": officer1.pk, "due_date": "2026-12-31"})
    task = incident.tasks.get()
    assert client_for(officer1).post(base + f"tasks/{task.pk}/done/").status_code == 404  # owner cannot see incidents
    client = client_for(dpo)
    client.post(base + f"tasks/{task.pk}/done/")
    client.post(base + "report/", {"reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "note": "省网信办"})
    notice = {
        "notice_data_kinds": "姓名",
        "notice_cause": "误发",
        "notice_harm": "骚扰",
        "notice_measures": "已要求删除",
        "notice_advice": "留意陌生来电",
        "notice_contact": "0571-1",
    }
    client.post(base + "notice/", notice)
    page = client.post(base + "notify/", follow=True).content.decode()
    assert "已在 1 人的自助页面发布告知" in page
    client.post(base + "contained/")
    closed = client.post(base + "close/", {"root_cause": "未复核收件人", "lessons": "发送前双人复核"}, follow=True)
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.tasks.get().done_at and incident.reported_to_regulator_at
    assert "事件已结案" in closed.content.decode()
    texts = list(incident.timeline.values_list("text", flat=True))
    assert len(texts) >= 8 and texts[-1] == "结案"
    refused = client.post(base + "timeline/", {"text": "补记"}, follow=True)
    assert "事件已结案，不能再修改" in refused.content.decode() and incident.timeline.count() == len(texts)


def test_drill_recorded_on_its_page(client_for, dpo, auditor):
    client = client_for(dpo)
    response = client.post(
        "/privacy/incidents/drills/",
        {"held_on": timezone.localdate().strftime("%Y-%m-%d"), "scenario": "勒索软件", "participants": "信息中心"},
    )
    assert response.status_code == 302
    assert "勒索软件" in client_for(auditor).get("/privacy/incidents/drills/").content.decode()
    assert client_for(auditor).post("/privacy/incidents/drills/", {"scenario": "x"}).status_code == 403


def test_incident_list_query_count_does_not_grow(client_for, dpo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(dpo)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/privacy/incidents/").status_code == 200
        return len(ctx)

    incident_services.incident_create(
        user=dpo, title="一", detected_at=timezone.now(), kind="leak", level="major", description="d"
    )
    count()  # warm: per-process caches (content types, roles) fill on the first request
    one = count()
    for n in range(4):
        incident_services.incident_create(
            user=dpo, title=f"多{n}", detected_at=timezone.now(), kind="loss", level="general", description="d"
        )
    assert count() == one
