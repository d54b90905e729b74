"""Internal audits: engagements, findings, rectifications, overdue reminders, the printable report."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit import services
from audit.models import AuditEngagement, Finding, Rectification, RectificationReminder
from audit.tasks import remind_overdue_rectifications

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 4, 10)


@pytest.fixture
def finding(auditor):
    engagement = AuditEngagement.objects.create(
        title="2026年一季度个人信息保护合规审计",
        scope="招商一局联系人管理",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        lead=auditor,
    )
    return services.finding_create(
        engagement=engagement, title="导出未说明用途", severity="high", description="见访问记录 #12", actor=auditor
    )


@pytest.fixture
def action(finding, officer1):
    return services.rectification_create(
        finding=finding, action="补充导出审批流程", owner=officer1, due_date=TODAY - datetime.timedelta(days=3)
    )


def test_auditor_creates_an_engagement_through_the_form(client_for, auditor):
    response = client_for(auditor).post(
        reverse("audit:engagement_create"),
        {
            "title": "年度审计",
            "scope": "全部",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "lead": auditor.pk,
            "status": "planned",
        },
    )
    engagement = AuditEngagement.objects.get()
    assert response.url == reverse("audit:engagement_detail", args=[engagement.pk])


def test_engagement_period_error_is_shown_next_to_the_field(client_for, auditor):
    response = client_for(auditor).post(
        reverse("audit:engagement_create"),
        {
            "title": "x",
            "scope": "x",
            "period_start": "2026-05-01",
            "period_end": "2026-01-01",
            "lead": auditor.pk,
            "status": "planned",
        },
    )
    assert response.status_code == 200
    assert "审计期间止不能早于审计期间起" in response.content.decode()


def test_privacy_officer_reads_but_cannot_write_engagements(client_for, dpo, finding):
    c = client_for(dpo)
    assert c.get(reverse("audit:engagement_detail", args=[finding.engagement_id])).status_code == 200
    assert c.get(reverse("audit:engagement_create")).status_code == 403


def test_officer_gets_404_on_findings_and_engagements(client_for, officer2, finding):
    c = client_for(officer2)
    assert c.get(reverse("audit:finding_detail", args=[finding.pk])).status_code == 404
    assert c.get(reverse("audit:engagement_report", args=[finding.engagement_id])).status_code == 404


def test_overdue_rectification_is_reminded_once_a_day(action, officer1, django_capture_on_commit_callbacks):
    officer1.email = "officer1@zone.example.cn"
    officer1.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.rectifications_remind_overdue(today=TODAY) == 1
        assert services.rectifications_remind_overdue(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert "逾期 3 天" in mail.outbox[0].subject
    assert RectificationReminder.objects.filter(rectification=action, day=TODAY).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.rectifications_remind_overdue(today=TODAY + datetime.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_not_yet_due_or_submitted_actions_are_not_reminded(action):
    assert services.rectifications_remind_overdue(today=action.due_date) == 0
    services.rectification_submit(rectification=action, note="已完成")
    assert services.rectifications_remind_overdue(today=TODAY) == 0


def test_periodic_task_calls_the_reminder(action):
    assert remind_overdue_rectifications() == 1  # today is long after the due date
    assert remind_overdue_rectifications() == 0


def test_owner_submits_evidence_and_auditor_verifies(client_for, action, officer1, auditor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = client_for(officer1)
    url = reverse("audit:rectification_detail", args=[action.pk])
    assert c.get(url).status_code == 200
    upload = SimpleUploadedFile("approval.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    c.post(url, {"step": "submit", "note": "流程已上线", "evidence": upload})
    action.refresh_from_db()
    assert action.status == Rectification.Status.SUBMITTED and action.evidence
    # the owner cannot verify their own action
    assert c.post(url, {"step": "verify", "decision": "accept"}).status_code == 403
    c = client_for(auditor)
    assert c.get(reverse("audit:rectification_evidence", args=[action.pk])).status_code == 200
    c.post(url, {"step": "verify", "decision": "accept", "note": "核实通过"})
    action.refresh_from_db()
    assert action.status == Rectification.Status.VERIFIED and action.verified_by == auditor
    assert Finding.objects.get().status == Finding.Status.CLOSED


def test_evidence_is_stored_encrypted_and_served_uncached(client_for, action, officer1, auditor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    secret = b"%PDF-1.4 evidence naming Wang Xiaoming 13912345678"
    upload = SimpleUploadedFile("approval.pdf", secret, content_type="application/pdf")
    url = reverse("audit:rectification_detail", args=[action.pk])
    client_for(officer1).post(url, {"step": "submit", "note": "流程已上线", "evidence": upload})
    action.refresh_from_db()
    stored = (tmp_path / action.evidence.name).read_bytes()
    assert stored.startswith(b"zsf1$") and b"13912345678" not in stored and b"PDF" not in stored
    assert "approval" not in action.evidence.name  # the uploader's file name is not kept
    response = client_for(auditor).get(reverse("audit:rectification_evidence", args=[action.pk]))
    assert response.status_code == 200 and response.content == secret
    assert "no-store" in response["Cache-Control"] and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_evidence_stored_in_clear_before_is_encrypted_by_the_migration(action, settings, tmp_path):
    import importlib

    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from privacy import files

    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save(f"audit/evidence/{action.pk}/old.pdf", ContentFile(b"%PDF-1.4 clear evidence"))
    Rectification.objects.filter(pk=action.pk).update(evidence=name, subject_key=None)
    migration = importlib.import_module("audit.migrations.0009_rectification_evidence_encrypted")
    migration.encrypt_stored_evidence(apps, None)
    action = Rectification.objects.get(pk=action.pk)
    assert not (tmp_path / name).exists() and action.evidence_type == "pdf"
    assert (tmp_path / action.evidence.name).read_bytes().startswith(b"zsf1$")
    data = files.open_decrypted(action, action.evidence, purpose=files.RECTIFICATION_EVIDENCE)
    assert data == b"%PDF-1.4 clear evidence"


def test_bad_evidence_file_gets_a_message(client_for, action, officer1):
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client_for(officer1).post(
        reverse("audit:rectification_detail", args=[action.pk]), {"step": "submit", "note": "x", "evidence": upload}
    )
    assert response.status_code == 200 and "仅支持" in response.content.decode()


def test_someone_elses_rectification_is_404(client_for, action, officer2):
    assert client_for(officer2).get(reverse("audit:rectification_detail", args=[action.pk])).status_code == 404


def test_engagement_report_prints_findings_and_actions(client_for, auditor, action):
    response = client_for(auditor).get(reverse("audit:engagement_report", args=[action.finding.engagement_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "导出未说明用途" in body and "补充导出审批流程" in body
    assert "css/audit.css" in body and "审计组长（签字）" in body


def test_finding_with_linked_record_through_the_form(client_for, auditor):
    from django.contrib.contenttypes.models import ContentType

    from clients.models import Department

    ct = ContentType.objects.get_for_model(Department)
    response = client_for(auditor).post(
        reverse("audit:finding_create"),
        {"title": "部门配置不当", "severity": "low", "description": "见记录", "link_type": ct.pk, "link_id": "7"},
    )
    finding = Finding.objects.get()
    assert response.status_code == 302
    assert finding.links.get().object_id == "7"


def test_demo_seed_step_is_idempotent(org):
    from audit.demo import seed_audit

    assert seed_audit(password="x") == 3
    assert seed_audit(password="x") == 0
    assert Rectification.objects.get().is_overdue()
