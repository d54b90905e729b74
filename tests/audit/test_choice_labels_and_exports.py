"""Choice fields show their labels (trails, admin, complaint timeline) and a streamed export that fails
mid-way fails visibly: an incomplete-file line, an aborted response and an error in the log."""

import csv
import inspect
import io
import logging

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from audit import views as audit_views
from audit.access import record_access
from audit.models import AccessEvent
from zhaoshang.core.streaming import StreamedExportFailed

pytestmark = pytest.mark.django_db

OWNED_ELSEWHERE = set()


def test_every_nested_choices_class_is_used_by_a_field():
    """A TextChoices class beside a CharField is not enough: get_FOO_display needs `choices=`."""
    unused = []
    for model in apps.get_models():
        used = {tuple(f.choices or ()) for f in model._meta.get_fields() if isinstance(f, models.Field)}
        for name, value in vars(model).items():
            if inspect.isclass(value) and issubclass(value, models.Choices):
                if (model._meta.label, name) in OWNED_ELSEWHERE:
                    continue
                if tuple(value.choices) not in used:
                    unused.append(f"{model._meta.label}.{name}")
    assert unused == []


def _sign_in_events(officer1):
    record_access(officer1, AccessEvent.Action.SIGN_IN, officer1)
    record_access(officer1, AccessEvent.Action.SIGN_IN_FAILED, officer1)
    record_access(officer1, AccessEvent.Action.LOCKED_OUT, officer1)


def test_sign_in_trail_tells_sign_in_failure_and_lock_out_apart(client_for, auditor, officer1):
    _sign_in_events(officer1)
    body = client_for(auditor).get(reverse("audit:signins")).content.decode()
    for label in ("<td>登录</td>", "<td>登录失败</td>", "<td>账户锁定</td>"):
        assert label in body


@pytest.mark.parametrize(
    "kind,labels", [("access", {"查看详情", "查看明文"}), ("signins", {"登录", "登录失败", "账户锁定"})]
)
def test_trail_exports_hold_every_row_with_its_action_label(client_for, auditor, officer1, kind, labels):
    _sign_in_events(officer1)
    record_access(officer1, AccessEvent.Action.VIEW, officer1, purpose="p")
    record_access(officer1, AccessEvent.Action.REVEAL, officer1, purpose="p")
    response = client_for(auditor).get(reverse("audit:export", kwargs={"kind": kind}))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {row[5] for row in rows[1:]} == labels


def test_access_event_opens_in_the_admin_console(client_for, admin_user, officer1):
    record_access(officer1, AccessEvent.Action.SIGN_IN_FAILED, officer1)
    event = AccessEvent.objects.get(action="sign_in_failed")
    response = client_for(admin_user).get(reverse("admin:audit_accessevent_change", args=[event.pk]))
    assert response.status_code == 200
    assert "登录失败" in response.content.decode()


def test_complaint_timeline_and_extension_show_labels():
    from complaints.models import ComplaintEvent, ExtensionRequest, Reminder

    assert ComplaintEvent(action="return", to_status="returned").get_action_display() == "退单"
    assert ComplaintEvent(action="return", to_status="returned").get_to_status_display() == "已退单"
    assert ExtensionRequest(status="approved").get_status_display() == "已批准"
    assert Reminder(kind="escalate").get_kind_display() == "超期督办"


def test_export_failing_mid_stream_is_aborted_marked_and_logged(client_for, auditor, officer1, monkeypatch, caplog):
    for _ in range(3):
        record_access(officer1, AccessEvent.Action.VIEW, officer1, purpose="p")
    real = audit_views._access_row
    calls = []

    def failing_on_second(event):
        calls.append(event.pk)
        if len(calls) == 2:
            raise AttributeError("boom")
        return real(event)

    monkeypatch.setattr(audit_views, "_access_row", failing_on_second)
    response = client_for(auditor).get(reverse("audit:export", kwargs={"kind": "access"}))
    assert response.status_code == 200  # headers were sent with the first row
    chunks = []
    with caplog.at_level(logging.ERROR, logger="zhaoshang.core.streaming"), pytest.raises(StreamedExportFailed):
        for chunk in response.streaming_content:
            chunks.append(chunk)
    body = b"".join(chunks).decode("utf-8-sig")
    assert body.rstrip().endswith("导出失败：文件不完整，请重新导出；如仍失败请联系系统管理员。")
    assert any("audit-access" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


def test_export_failing_on_every_row_is_a_500_not_a_header_only_file(client, auditor, officer1, monkeypatch):
    record_access(officer1, AccessEvent.Action.VIEW, officer1, purpose="p")

    def broken(event):
        raise AttributeError("no label")

    monkeypatch.setattr(audit_views, "_access_row", broken)
    client.raise_request_exception = False
    client.force_login(auditor)
    response = client.get(reverse("audit:export", kwargs={"kind": "access"}))
    assert response.status_code == 500
