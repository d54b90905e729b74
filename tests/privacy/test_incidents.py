"""Security incidents: regulator deadlines per level (across midnight and holidays), the people
query, the Art. 57 notice refused while an item is missing and sent through every channel, the
self-service notice, closure, drills and the scorecard row."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.access import record_access
from privacy.incidents import services
from privacy.incidents.models import Incident, IncidentNotification
from privacy.incidents.scorecard import incidents_on_time
from privacy.scorecard.base import GREEN, NO_DATA, RED
from privacy.sms import LocmemSmsBackend

from .conftest import open_link

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()

NOTICE = {
    "notice_data_kinds": "姓名、手机号",
    "notice_cause": "账号被盗用后批量查看",
    "notice_harm": "可能收到诈骗电话",
    "notice_measures": "已停用该账号并修改权限",
    "notice_advice": "警惕自称招商局的来电，不要透露验证码",
    "notice_contact": "个人信息保护负责人 0571-12345678",
}


def _at(*args):
    return datetime.datetime(*args, tzinfo=TZ)


def _incident(dpo, *, level="large", detected_at=None, **fields):
    return services.incident_create(
        user=dpo,
        title="测试事件",
        detected_at=detected_at or timezone.now() - datetime.timedelta(minutes=5),
        kind="leak",
        level=level,
        description="经过",
        **fields,
    )


@pytest.mark.parametrize(("level", "hours"), [("especially_major", 1), ("major", 2), ("large", 4), ("general", None)])
def test_report_deadline_per_level_runs_across_midnight(dpo, settings, level, hours):
    settings.INCIDENT_REPORT_HOURS = {"especially_major": 1, "major": 2, "large": 4, "general": None}
    incident = _incident(dpo, level=level, detected_at=_at(2026, 11, 30, 23, 30))
    if hours is None:
        assert incident.report_deadline is None and not incident.report_overdue()
        return
    deadline = incident.report_deadline
    assert deadline == _at(2026, 11, 30, 23, 30) + datetime.timedelta(hours=hours)
    assert timezone.localtime(deadline).date() == datetime.date(2026, 12, 1)  # past midnight
    assert incident.seconds_left(now=_at(2026, 11, 30, 23, 45)) == hours * 3600 - 15 * 60


def test_deadline_is_clock_hours_even_over_a_holiday(dpo):
    """National Day (a statutory holiday in the working-day calendar) does not stretch the deadline."""
    incident = _incident(dpo, level="major", detected_at=_at(2026, 9, 30, 22, 0))
    assert incident.report_deadline == _at(2026, 10, 1, 2, 0)  # the default: 4 hours (第四条)
    assert incident.report_overdue(now=_at(2026, 10, 1, 2, 1))
    assert not incident.report_overdue(now=_at(2026, 10, 1, 1, 59))


def test_defaults_follow_the_reporting_measure(settings):
    hours = settings.INCIDENT_REPORT_HOURS
    assert hours["especially_major"] == hours["major"] == hours["large"] == 4 and hours["general"] is None


def test_report_registered_late_is_marked_late(dpo):
    incident = _incident(dpo, level="major", detected_at=timezone.now() - datetime.timedelta(hours=6))
    services.incident_report_regulator(incident=incident, user=dpo, reported_at=timezone.now())
    assert incident.report_overdue()
    assert "超时" in incident.timeline.last().text


def test_only_the_privacy_officer_changes_incidents(dpo, auditor, head1):
    incident = _incident(dpo)
    for user in (auditor, head1):
        with pytest.raises(PermissionDenied):
            services.task_add(incident=incident, user=user, title="x", owner=dpo, due_date=timezone.localdate())


def test_people_from_a_users_reads_in_a_period(dpo, officer1, make_contact):
    a, b, c = make_contact(), make_contact(), make_contact()
    record_access(officer1, "reveal", a, purpose="p", subject_ids=[a.pk])
    record_access(officer1, "export", purpose="p", row_count=2, subject_ids=[a.pk, b.pk])
    record_access(dpo, "view", c, subject_ids=[c.pk])  # someone else's read
    today = timezone.localdate()
    ids, selection = services.people_query(mode="reads", user_id=officer1.pk, date_from=today, date_to=today)
    assert ids == sorted([a.pk, b.pk])
    incident = _incident(dpo)
    assert services.incident_select_people(incident=incident, user=dpo, contact_ids=ids, selection=selection) == 2
    assert incident.subjects.count() == 2 and incident.affected_query["mode"] == "reads"
    with pytest.raises(ValidationError):
        services.people_query(mode="reads", user_id=officer1.pk, date_from=today, date_to=today - datetime.timedelta(1))


def test_people_from_an_export_event_and_a_list(dpo, officer1, make_contact):
    a, b = make_contact(), make_contact()
    event = record_access(officer1, "export", purpose="p", row_count=2, subject_ids=[a.pk, b.pk])
    assert services.people_query(mode="event", event_id=event.pk)[0] == sorted([a.pk, b.pk])
    assert services.people_query(mode="list", contact_ids=[b.pk, b.pk, 999999])[0] == [b.pk]


@pytest.mark.parametrize("missing", list(NOTICE))
def test_notification_refused_when_a_required_item_is_missing(dpo, make_contact, missing):
    incident = _incident(dpo)
    contact = make_contact()
    services.incident_select_people(incident=incident, user=dpo, contact_ids=[contact.pk], selection={})
    services.incident_update(incident=incident, user=dpo, **{**NOTICE, missing: "  "})
    label = str(Incident._meta.get_field(missing).verbose_name)
    with pytest.raises(ValidationError) as exc:
        services.incident_notify(incident=incident, user=dpo)
    assert any(label in m for m in exc.value.messages)
    assert not IncidentNotification.objects.exists()


def test_notification_goes_by_sms_or_email_and_is_recorded(
    dpo, make_contact, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    with_mobile = make_contact()
    email_only = make_contact(mobile="")
    incident = _incident(dpo)
    services.incident_select_people(
        incident=incident, user=dpo, contact_ids=[with_mobile.pk, email_only.pk], selection={}
    )
    services.incident_update(incident=incident, user=dpo, **NOTICE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.incident_notify(incident=incident, user=dpo) == 2
    assert len(callbacks) == 2  # the self-service flags, and the task that sends the messages
    assert IncidentNotification.objects.filter(channel="selfservice").count() == 2 and not LocmemSmsBackend.outbox
    counts = services.incident_messages_send(incident)  # what the task does
    assert counts == {"sms": 1, "email": 1, "none": 0}
    assert [n for n, _t in LocmemSmsBackend.outbox] == [with_mobile.mobile]
    assert len(mailoutbox) == 1 and NOTICE["notice_advice"] in mailoutbox[0].body
    channels = sorted(IncidentNotification.objects.values_list("channel", flat=True))
    assert channels == ["email", "selfservice", "selfservice", "sms"]
    assert services.incident_messages_send(incident) == {"sms": 0, "email": 0, "none": 0}  # idempotent
    assert services.incident_notify(incident=incident, user=dpo) == 0  # nobody is told twice
    assert IncidentNotification.objects.count() == 4


def test_messages_left_unsent_by_a_broker_failure_go_out_with_the_periodic_job(dpo, make_contact, settings):
    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    contact = make_contact()
    incident = _incident(dpo)
    services.incident_select_people(incident=incident, user=dpo, contact_ids=[contact.pk], selection={})
    services.incident_update(incident=incident, user=dpo, **NOTICE)
    services.incident_notify(incident=incident, user=dpo)  # on_commit never runs here: no task sent
    services.incidents_remind()
    assert [n for n, _t in LocmemSmsBackend.outbox] == [contact.mobile]


def test_the_person_sees_the_notice_on_their_page(client, dpo, make_contact, django_capture_on_commit_callbacks):
    from privacy.selfservice.services import selfservice_link

    contact, other = make_contact(), make_contact()
    incident = _incident(dpo)
    services.incident_select_people(incident=incident, user=dpo, contact_ids=[contact.pk], selection={})
    services.incident_update(incident=incident, user=dpo, **NOTICE)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_notify(incident=incident, user=dpo)
    page = client.get(open_link(client, selfservice_link(contact)))
    body = page.content.decode()
    assert NOTICE["notice_advice"] in body and incident.reference in body
    client.cookies.clear()
    other_body = client.get(open_link(client, selfservice_link(other))).content.decode()
    assert NOTICE["notice_advice"] not in other_body


def test_close_needs_root_cause_tasks_done_and_the_report(dpo, settings):
    incident = _incident(dpo, level="large")
    task = services.task_add(incident=incident, user=dpo, title="改密码", owner=dpo, due_date=timezone.localdate())
    with pytest.raises(ValidationError) as exc:
        services.incident_close(incident=incident, user=dpo, root_cause="弱口令", lessons="")
    text = " ".join(exc.value.messages)
    assert "根本原因" in text and "未完成" in text and "监管部门" in text
    services.task_complete(task=task, user=dpo)
    services.incident_report_regulator(incident=incident, user=dpo, reported_at=timezone.now())
    services.incident_close(incident=incident, user=dpo, root_cause="弱口令", lessons="启用双因素")
    incident.refresh_from_db()
    assert incident.status == "closed"
    with pytest.raises(ValidationError):
        services.task_add(incident=incident, user=dpo, title="x", owner=dpo, due_date=timezone.localdate())


def test_drill_reminder_when_none_in_twelve_months(dpo):
    from zhaoshang.core.notifications.models import Notification

    services.drill_record(
        user=dpo, held_on=timezone.localdate() - datetime.timedelta(days=400), scenario="泄露", participants="全体"
    )
    assert services.drill_due()
    services.incidents_remind()
    assert Notification.objects.filter(user=dpo, kind="incident_drill_due").count() == 1
    services.incidents_remind()  # once a week only
    assert Notification.objects.filter(user=dpo, kind="incident_drill_due").count() == 1
    services.drill_record(user=dpo, held_on=timezone.localdate(), scenario="泄露", participants="全体")
    assert not services.drill_due()


def test_report_reminder_goes_to_the_privacy_officer(dpo):
    from zhaoshang.core.notifications.models import Notification

    _incident(dpo, level="major")
    services.incidents_remind()
    assert Notification.objects.filter(user=dpo, kind="incident_report_due").count() == 1


def test_scorecard_row_goes_red_when_late_and_green_when_fixed(dpo, make_contact):
    assert incidents_on_time().level == NO_DATA
    incident = _incident(dpo, level="major", detected_at=timezone.now() - datetime.timedelta(hours=5))
    result = incidents_on_time()
    assert result.level == RED and result.figures["late_report"] == 1 and result.drilldown == "/privacy/incidents/"
    Incident.objects.filter(pk=incident.pk).update(
        reported_to_regulator_at=incident.detected_at + datetime.timedelta(hours=1)
    )
    assert incidents_on_time().level == GREEN
    Incident.objects.filter(pk=incident.pk).update(
        affected_count=3, detected_at=timezone.now() - datetime.timedelta(days=5)
    )
    Incident.objects.filter(pk=incident.pk).update(reported_to_regulator_at=timezone.now() - datetime.timedelta(days=5))
    assert incidents_on_time().figures["late_notice"] == 1 and incidents_on_time().level == RED
    Incident.objects.filter(pk=incident.pk).update(notified_at=timezone.now() - datetime.timedelta(days=5))
    assert incidents_on_time().level == GREEN


def test_scorecard_row_stays_within_three_queries(dpo, django_assert_max_num_queries):
    _incident(dpo)
    with django_assert_max_num_queries(3):
        incidents_on_time()


def test_people_cap_counts_people_not_reads(dpo, officer1, make_contact, monkeypatch):
    a, b = make_contact(), make_contact()
    for _n in range(3):  # many reads of one person
        record_access(officer1, "reveal", a, purpose="p", subject_ids=[a.pk])
    monkeypatch.setattr(services, "MAX_PEOPLE", 1)
    today = timezone.localdate()
    assert services.people_query(mode="reads", user_id=officer1.pk, date_from=today, date_to=today)[0] == [a.pk]
    record_access(officer1, "reveal", b, purpose="p", subject_ids=[b.pk])
    with pytest.raises(ValidationError):
        services.people_query(mode="reads", user_id=officer1.pk, date_from=today, date_to=today)
