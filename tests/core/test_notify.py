"""notify(): one in-app row per user, e-mail per preference and kind, references only, digest once."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from clients.models import Department
from zhaoshang.core.notifications import notify
from zhaoshang.core.notifications import services as ns
from zhaoshang.core.notifications.kinds import KINDS, Channel
from zhaoshang.core.notifications.models import Notification, NotificationPreference
from zhaoshang.core.tasks import send_notification_digests

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept(org):
    return Department.objects.get(code="zs1")


def _prefer(user, kind, channel):
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})


def test_every_kind_has_a_label_a_text_and_a_resolvable_link():
    for kind in KINDS.values():
        assert str(kind.label) and kind.default in kind.channels()
        assert kind.render(dict.fromkeys(kind.params, 1))
        assert kind.url(1).startswith("/")


def test_in_app_kind_writes_one_row_per_active_user_and_no_email(officer1, officer3, head1, dept):
    head1.is_active = False
    head1.save(update_fields=["is_active"])
    rows = notify([officer1, officer1, officer3, head1, None], "enterprise_assigned", dept, {"enterprise": 7})
    assert sorted(r.user.username for r in rows) == ["officer1", "officer3"]
    row = Notification.objects.filter(user=officer1).get()
    assert row.text == "企业 #7 已分派给您负责" and row.read_at is None and row.channel == Channel.IN_APP
    assert row.content_type.model == "department" and row.object_id == dept.pk
    assert not mail.outbox


def test_email_kind_sends_one_message_after_the_commit(officer1, officer3, dept, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([officer1, officer3], "project_released", dept, {"project": 12, "days": 30})
    assert not mail.outbox  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert set(message.to) == {officer1.email, officer3.email}
    assert message.subject == "项目 #12 已连续 30 天无跟进，已释放到公海"
    assert f"/clients/projects/{dept.pk}/" in message.body  # the link: the object's page, no token
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_rolled_back_notification_sends_nothing(officer1, dept, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify([officer1], "project_released", dept, {"project": 1, "days": 30})
        raise RuntimeError
    assert not mail.outbox and not Notification.objects.exists()


def test_preferences_choose_the_channel(officer1, officer3, head1, dept, django_capture_on_commit_callbacks):
    _prefer(officer1, "project_released", Channel.IN_APP)
    _prefer(officer3, "project_released", Channel.OFF)
    _prefer(head1, "project_released", Channel.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify([officer1, officer3, head1], "project_released", dept, {"project": 1, "days": 30})
    assert {r.user.username: r.channel for r in rows} == {"officer1": "in_app", "head1": "digest"}
    assert not mail.outbox  # in-app only, off, and digest: nothing at once


def test_an_escalation_cannot_be_turned_off_or_digested(officer1, dept, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        ns.notification_preferences_set(user=officer1, channels={"complaint_escalate": Channel.OFF})
    _prefer(officer1, "complaint_escalate", Channel.OFF)  # a row written around the service
    context = {"reference": "TS-1", "deadline": datetime.date(2026, 10, 8), "overdue_days": 2, "status": "办理中"}
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify([officer1], "complaint_escalate", dept, context)
    assert row.channel == Channel.EMAIL and len(mail.outbox) == 1


def test_only_the_kinds_placeholders_are_kept_and_free_text_is_refused(officer1, dept):
    (row,) = notify([officer1], "project_assigned", dept, {"project": 3, "contact_name": "张三丰"})
    assert row.params == {"project": 3}
    with pytest.raises(ValueError):
        notify(
            [officer1],
            "project_assigned",
            dept,
            {"project": "联系人张三丰说下周再谈，手机13800138000，请尽快回电确认签约事宜并告知园区"},
        )
    with pytest.raises(ValueError):
        notify([officer1], "project_assigned", dept, {"project": "第一行\n第二行"})
    with pytest.raises(TypeError):
        notify([officer1], "project_assigned", dept, {"project": officer1})


def test_once_key_tells_each_user_once(officer1, dept):
    for _ in range(2):
        notify([officer1], "followup_overdue", dept, {"project": 1, "date": "2026-04-01"}, once_key="2026-04-01")
    notify([officer1], "followup_overdue", dept, {"project": 1, "date": "2026-04-08"}, once_key="2026-04-08")
    assert Notification.objects.filter(user=officer1).count() == 2


def test_digest_collects_a_users_notifications_and_sends_them_once(officer1, officer3, dept):
    _prefer(officer1, "project_assigned", Channel.DIGEST)
    notify([officer1], "project_assigned", dept, {"project": 1})
    notify([officer1], "project_assigned", dept, {"project": 2})
    notify([officer3], "project_assigned", dept, {"project": 3})  # in-app only: no digest
    assert send_notification_digests() == 1
    (message,) = mail.outbox
    assert message.to == [officer1.email] and "2 条通知" in message.subject
    assert "项目 #1 已分派给您负责" in message.body and "项目 #2 已分派给您负责" in message.body
    assert "/notifications/" in message.body
    assert ns.notifications_digest_send() == 0
    out = io.StringIO()
    call_command("send_notification_digest", stdout=out)
    assert out.getvalue().startswith("0 ")
    assert len(mail.outbox) == 1
    notify([officer1], "project_assigned", dept, {"project": 4})
    assert ns.notifications_digest_send() == 1
    assert "项目 #4" in mail.outbox[1].body and "项目 #1" not in mail.outbox[1].body


def test_digest_of_a_user_without_an_email_address_is_settled_silently(officer1, dept):
    officer1.email = ""
    officer1.save(update_fields=["email"])
    _prefer(officer1, "project_assigned", Channel.DIGEST)
    notify([officer1], "project_assigned", dept, {"project": 1})
    assert ns.notifications_digest_send() == 0 and not mail.outbox
    assert not Notification.objects.filter(emailed_at__isnull=True, channel="digest").exists()


def test_an_immediate_email_that_failed_goes_out_with_the_next_digest(
    officer1, dept, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(ns, "send_email", down)
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify([officer1], "project_released", dept, {"project": 5, "days": 30})
    row.refresh_from_db()
    assert row.emailed_at is None and not mail.outbox
    monkeypatch.undo()
    assert ns.notifications_digest_send() == 0  # not yet: the immediate path may still be on its way
    later = timezone.now() + ns.RETRY_AFTER + datetime.timedelta(minutes=1)
    assert ns.notifications_digest_send(now=later) == 1
    assert "项目 #5" in mail.outbox[0].body
    assert ns.notifications_digest_send(now=later) == 0


def test_unread_badge_is_bounded(officer1, officer3, dept):
    assert ns.unread_badge(officer1) == ""
    Notification.objects.bulk_create(
        [Notification(user=officer1, kind="project_assigned", params={"project": n}) for n in range(3)]
    )
    Notification.objects.create(user=officer3, kind="project_assigned", params={"project": 9})
    assert ns.unread_badge(officer1) == "3"
    Notification.objects.bulk_create(
        [Notification(user=officer1, kind="project_assigned", params={"project": n}) for n in range(120)]
    )
    assert ns.unread_badge(officer1) == "99+"
    assert ns.notifications_mark_all_read(user=officer1) == 123
    assert ns.unread_badge(officer1) == "" and ns.unread_badge(officer3) == "1"


def test_an_unknown_kind_is_a_programming_error(officer1):
    with pytest.raises(KeyError):
        notify([officer1], "no_such_kind", None, {})


def test_a_status_is_stored_as_its_code_and_read_in_the_readers_language(officer1, dept):
    from django.utils import translation

    context = {"reference": "TS-1", "deadline": datetime.date(2026, 10, 8), "status": "in_progress"}
    (row,) = notify([officer1], "complaint_remind", dept, context)
    assert row.params["status"] == "in_progress"
    assert row.text.endswith("当前状态：办理中")
    with translation.override("en"):
        assert row.text == "[Due reminder] Complaint TS-1 due 2026-10-08, status: In progress"
