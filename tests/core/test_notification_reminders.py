"""Every reminder of today goes through notify(): the same people are told, once, and neither the
notification nor its e-mail carries personal data (the fixture's contact name, mobile, complaint
text never appear)."""

import datetime
import itertools

import pytest
from django.core import mail
from django.utils import timezone

from audit import services as audit_services
from audit.models import AuditEngagement
from clients import services as client_services
from clients.models import Department, Project
from clients.reminders import followups_notify_overdue
from clients.validators import make_credit_code
from complaints import services as complaint_services
from complaints.models import Channel as ComplaintChannel
from complaints.models import ComplaintCategory, ComplaintKind
from privacy.consent import services as privacy_services
from privacy.models import Channel as ConsentChannel
from privacy.models import PrivacyPolicy
from zhaoshang.core import calendar
from zhaoshang.core.notifications.models import Notification

pytestmark = pytest.mark.django_db

NAME, MOBILE, EMAIL = "欧阳晓燕", "13912345678", "ouyang.xy@example.cn"
DESCRIPTION = "欧阳晓燕反映园区承诺的房租补贴至今没有兑现"
PERSONAL = [NAME, MOBILE, EMAIL, "房租补贴"]
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def dept(org):
    return Department.objects.get(code="zs1")


@pytest.fixture
def enterprise(officer1):
    n = next(_seq)
    enterprise = client_services.enterprise_create(
        user=officer1, name=f"提醒测试企业{n}有限公司", credit_code=make_credit_code(f"91330100MC{n:07d}"), industry="C"
    )
    client_services.contact_create(
        user=officer1,
        enterprise=enterprise,
        name=NAME,
        mobile=MOBILE,
        email=EMAIL,
        source="client",
        purpose="investment_liaison",
    )
    return enterprise


@pytest.fixture
def project(officer1, enterprise):
    return client_services.project_create(user=officer1, enterprise=enterprise, title=f"{NAME}引荐的项目")


def _assert_clean(rows):
    """No personal value in the rows' texts and links, nor in any e-mail sent."""
    assert rows, "expected notifications"
    texts = [row.text + row.target_url for row in rows]
    for message in mail.outbox:
        texts += [message.subject, message.body, *(content for content, _type in message.alternatives)]
    for text in texts:
        for value in PERSONAL:
            assert value not in text, (value, text)


# --- clients ----------------------------------------------------------------------------------


def test_collaboration_request_tells_the_owner_with_account_and_number_only(
    officer2, officer1, enterprise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_services.collaboration_request(user=officer2, enterprise=enterprise)
    (row,) = Notification.objects.filter(kind="collaboration_request")
    assert row.user == officer1 and row.text == f"账号 officer2 申请作为企业 #{enterprise.pk} 的协办人"
    assert enterprise.name not in row.text
    assert mail.outbox[0].to == [officer1.email]
    _assert_clean([row])


def test_assignments_tell_the_new_owner_in_app(head1, officer1, officer3, enterprise, project):
    client_services.enterprise_assign(by=head1, enterprise=enterprise, to_user=officer3)
    client_services.project_assign(by=head1, project=project, to_user=officer3)
    rows = list(Notification.objects.filter(user=officer3).order_by("pk"))
    assert [r.kind for r in rows] == ["enterprise_assigned", "project_assigned"]
    assert not mail.outbox  # in-app by default, as before: assignments sent no e-mail
    _assert_clean(rows)


def test_idle_release_tells_the_former_owner_and_the_head(
    officer1, head1, project, settings, django_capture_on_commit_callbacks
):
    Project.objects.filter(pk=project.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        assert client_services.release_idle_projects(days=30) == 1
    rows = list(Notification.objects.filter(kind="project_released"))
    assert {r.user for r in rows} == {officer1, head1}
    assert set(mail.outbox[0].to) == {officer1.email, head1.email}
    _assert_clean(rows)


def test_overdue_follow_up_tells_the_owner_once_per_date(officer1, project):
    today = timezone.localdate()
    client_services.followup_create(
        user=officer1,
        project=project,
        date=today - datetime.timedelta(days=5),
        method="phone",
        summary=f"与{NAME}电话沟通，手机{MOBILE}",
        next_contact_date=today - datetime.timedelta(days=2),
    )
    assert followups_notify_overdue(today=today) == 1
    assert followups_notify_overdue(today=today) == 0
    assert followups_notify_overdue(today=today + datetime.timedelta(days=30)) == 0  # outside the window
    (row,) = Notification.objects.filter(kind="followup_overdue")
    assert row.user == officer1 and row.object_id == project.pk
    _assert_clean([row])


# --- complaints -------------------------------------------------------------------------------


@pytest.fixture
def complaint(org, dept, handler, officer1):
    complaint, _secret = complaint_services.complaint_submit(
        kind=ComplaintKind.objects.get(code="complaint"),
        category=ComplaintCategory.objects.get(code="policy"),
        description=DESCRIPTION,
        channel=ComplaintChannel.WEB,
        name=NAME,
        phone=MOBILE,
        email=EMAIL,
        received_at=timezone.make_aware(datetime.datetime(2026, 9, 14, 9, 0)),
    )
    return complaint


def test_complaint_reminders_and_escalation_reach_the_same_people_without_personal_data(
    complaint, dept, handler, officer1, head1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert complaint_services.check_deadlines(today=datetime.date(2026, 9, 18))["ack_remind"] == 1
        complaint_services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
        assert complaint_services.check_deadlines(today=datetime.date(2026, 9, 30))["remind"] == 1
        assert complaint_services.check_deadlines(today=datetime.date(2026, 10, 12))["escalate"] == 1
        assert complaint_services.check_deadlines(today=datetime.date(2026, 10, 12))["escalate"] == 0
    told = {
        k: {r.user.username for r in Notification.objects.filter(kind=k)}
        for k in ("complaint_ack_remind", "complaint_assigned", "complaint_remind", "complaint_escalate")
    }
    office = {u.username for u in complaint_services.office_users()}
    assert "handler" in office and "officer1" not in office
    assert told["complaint_ack_remind"] == office  # nobody handles it yet: the complaint office
    assert told["complaint_assigned"] == {"officer1"}
    assert told["complaint_remind"] == {"officer1"}  # the handler
    assert told["complaint_escalate"] == office | {"officer1", "head1"}  # + the handler's supervisor
    escalation = Notification.objects.filter(kind="complaint_escalate").first()
    assert complaint.reference in escalation.text and "超期督办" in escalation.text
    assert len([m for m in mail.outbox if "超期督办" in m.subject]) == 1
    _assert_clean(list(Notification.objects.all()))


def test_extension_request_asks_the_supervisor_to_decide(complaint, dept, handler, officer1, head1):
    complaint_services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    complaint_services.extension_request(
        complaint=complaint, actor=officer1, reason=f"需与{NAME}（{MOBILE}）再次核实", extra_working_days=5
    )
    (row,) = Notification.objects.filter(kind="extension_requested")
    assert row.user == head1 and "5 个工作日" in row.text
    complaint.refresh_from_db()
    assert complaint_services.may_decide_extension(head1, complaint)  # told the one who may decide
    _assert_clean([row])


# --- audit ------------------------------------------------------------------------------------


def test_overdue_rectification_reminds_its_owner(auditor, officer1, django_capture_on_commit_callbacks):
    engagement = AuditEngagement.objects.create(
        title="审计",
        scope="联系人",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        lead=auditor,
    )
    finding = audit_services.finding_create(
        engagement=engagement, title=f"{NAME}的手机号被导出", severity="high", description=MOBILE, actor=auditor
    )
    action = audit_services.rectification_create(
        finding=finding, action=f"通知{NAME}", owner=officer1, due_date=datetime.date(2026, 4, 7)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert audit_services.rectifications_remind_overdue(today=datetime.date(2026, 4, 10)) == 1
    (row,) = Notification.objects.filter(kind="rectification_overdue")
    assert row.user == officer1 and row.object_id == action.pk and "逾期 3 天" in row.text
    assert mail.outbox[0].to == [officer1.email]
    _assert_clean([row])


# --- privacy ----------------------------------------------------------------------------------


def test_material_policy_change_tells_owners_how_many_consents_to_renew(dpo, officer1, enterprise):
    contact = enterprise.contacts.get()
    privacy_services.consent_grant(contact=contact, purpose="policy_push", channel=ConsentChannel.SELFSERVICE)
    policy = PrivacyPolicy.objects.create(
        version="9.0", body_zh="新版政策", body_en="New", effective_date=timezone.localdate(), material_change=True
    )
    assert privacy_services.policy_publish(policy=policy, user=dpo) == 1
    (row,) = Notification.objects.filter(kind="consent_renewal")
    assert row.user == officer1 and "9.0" in row.text and "1 项同意" in row.text
    assert row.target_url == "/privacy/consent/renewals/"
    _assert_clean([row])
