"""[H] The deadline clock (holidays, pauses, verification, extension), one-time codes, the clock job
and the retention category of request records."""

import datetime

import pytest
from django.utils import timezone

from privacy.requests import clock, codes, services
from privacy.requests.models import RequestStatus, SubjectRequest, SubjectRequestEvent, VerificationCode
from zhaoshang.core import calendar

S = RequestStatus
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    from privacy.sms import LocmemSmsBackend

    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def golden_week():
    """2031: 1-7 October are holidays, Sunday 28 September a 调休 working day."""
    from zhaoshang.core.models import HolidayCalendar

    for day in range(1, 8):
        HolidayCalendar.objects.create(date=datetime.date(2031, 10, day), kind="holiday", name="国庆节")
    HolidayCalendar.objects.create(date=datetime.date(2031, 9, 28), kind="workday", name="国庆节调休")
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def _on(monkeypatch, day):
    """Make `timezone.localdate()` (and now) answer `day` at 10:00 local time."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: day)
    return moment


def test_due_date_skips_the_holiday_week(golden_week, settings):
    settings.SUBJECT_REQUEST_DAYS = 15
    # Thursday 25 September 2031: working days 26, 28 (调休), 29, 30 Sep, then 8 Oct onwards
    due = clock.due_from(datetime.date(2031, 9, 25))
    assert due == datetime.date(2031, 10, 22)


def test_old_setting_name_still_counts(settings):
    settings.SUBJECT_REQUEST_DAYS = None
    settings.SUBJECT_REQUEST_DEADLINE_WORKING_DAYS = 5
    assert clock.deadline_days() == 5


def test_pause_over_a_holiday_keeps_the_working_days_left(golden_week, monkeypatch, contact, dpo):
    _on(monkeypatch, datetime.date(2031, 9, 22))  # Monday
    req = services.subject_request_create(contact=contact, kind="access")
    assert req.due_date == calendar.add_working_days(datetime.date(2031, 9, 22), 15)
    services.subject_request_assign(subject_request=req, actor=dpo, handler=dpo)
    _on(monkeypatch, datetime.date(2031, 9, 26))  # Friday: 4 working days used
    services.subject_request_pause(subject_request=req, actor=dpo, reason="请补充材料")
    req.refresh_from_db()
    assert req.remaining_days == 11
    _on(monkeypatch, datetime.date(2031, 10, 3))  # answered during the holiday
    services.subject_request_resume(subject_request=req, reply="已补充")
    req.refresh_from_db()
    # 11 working days counted again from 3 October (a holiday): 8-10, 13-17, 20-22 October
    assert req.due_date == calendar.add_working_days(datetime.date(2031, 10, 3), 11)
    assert req.due_date == datetime.date(2031, 10, 22)


def test_clock_from_verification(settings, monkeypatch, contact, dpo):
    settings.SUBJECT_REQUEST_CLOCK_FROM = "verification"
    _on(monkeypatch, datetime.date(2031, 3, 3))
    req = services.subject_request_create(contact=contact, kind="deletion")
    _on(monkeypatch, datetime.date(2031, 3, 10))
    services.subject_request_verify(subject_request=req, actor=dpo, note="当面核验")
    req.refresh_from_db()
    assert req.due_date == calendar.add_working_days(datetime.date(2031, 3, 10), settings.SUBJECT_REQUEST_DAYS)


def test_clock_from_receipt_ignores_verification_day(settings, monkeypatch, contact, dpo):
    settings.SUBJECT_REQUEST_CLOCK_FROM = "receipt"
    _on(monkeypatch, datetime.date(2031, 3, 3))
    req = services.subject_request_create(contact=contact, kind="deletion")
    _on(monkeypatch, datetime.date(2031, 3, 10))
    services.subject_request_verify(subject_request=req, actor=dpo, note="当面核验")
    req.refresh_from_db()
    assert req.due_date == calendar.add_working_days(datetime.date(2031, 3, 3), settings.SUBJECT_REQUEST_DAYS)


# --- codes --------------------------------------------------------------------------------------


def _with_code(monkeypatch, contact, value=654321):
    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: value)
    req = services.subject_request_create(contact=contact, kind="portability")
    services.subject_request_send_code(subject_request=req)
    return req


def test_code_is_six_digits_sent_by_sms_and_only_its_digest_kept(monkeypatch, contact):
    from privacy.sms import LocmemSmsBackend

    req = _with_code(monkeypatch, contact)
    number, text = LocmemSmsBackend.outbox[-1]
    assert number == contact.mobile and "654321" in text
    row = VerificationCode.objects.get(request=req)
    assert "654321" not in row.digest and len(row.digest) == 64
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=10)


def test_code_goes_by_email_without_sms_provider(settings, monkeypatch, contact, mailoutbox):
    settings.SMS_BACKEND = "privacy.sms.NullSmsBackend"
    req = _with_code(monkeypatch, contact, 111222)
    assert VerificationCode.objects.get(request=req).sent_via == "email"
    assert mailoutbox[-1].to == [contact.email] and "111222" in mailoutbox[-1].body


def test_code_expires_after_ten_minutes(monkeypatch, contact):
    req = _with_code(monkeypatch, contact)
    VerificationCode.objects.filter(request=req).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(codes.CodeError, match="过期"):
        services.subject_request_verify_code(subject_request=req, code="654321")
    req.refresh_from_db()
    assert req.status == S.AWAITING_VERIFICATION


def test_code_locks_after_three_wrong_attempts(monkeypatch, contact):
    req = _with_code(monkeypatch, contact)
    for _ in range(3):
        with pytest.raises(codes.CodeError):
            services.subject_request_verify_code(subject_request=req, code="000000")
    assert VerificationCode.objects.get(request=req).attempts == 3  # the attempts were committed
    with pytest.raises(codes.CodeError, match="次数过多"):
        services.subject_request_verify_code(subject_request=req, code="654321")  # even the right one
    assert SubjectRequestEvent.objects.filter(request=req, action="code_failed").count() == 4


def test_new_code_replaces_the_old_one(monkeypatch, contact):
    req = _with_code(monkeypatch, contact)
    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: 999888)
    services.subject_request_send_code(subject_request=req)
    with pytest.raises(codes.CodeError):
        services.subject_request_verify_code(subject_request=req, code="654321")
    services.subject_request_verify_code(subject_request=req, code="999888")
    req.refresh_from_db()
    assert req.status == S.RECEIVED


def test_code_is_used_once(monkeypatch, contact):
    req = _with_code(monkeypatch, contact)
    services.subject_request_verify_code(subject_request=req, code="654321")
    with pytest.raises(Exception):  # noqa: B017 - no longer awaiting verification
        services.subject_request_verify_code(subject_request=req, code="654321")


# --- the clock job ------------------------------------------------------------------------------


def test_job_closes_unverified_requests_after_the_set_days(settings, contact):
    settings.SUBJECT_REQUEST_UNVERIFIED_CLOSE_DAYS = 7
    old = services.subject_request_create(contact=contact, kind="deletion")
    new = services.subject_request_create(contact=contact, kind="deletion")
    SubjectRequest.objects.filter(pk=old.pk).update(received_at=timezone.now() - datetime.timedelta(days=8))
    counts = services.check_subject_requests()
    assert counts["closed_unverified"] == 1
    assert SubjectRequest.objects.get(pk=old.pk).status == S.CLOSED
    assert SubjectRequest.objects.get(pk=new.pk).status == S.AWAITING_VERIFICATION
    assert SubjectRequestEvent.objects.filter(request=old, action="close").exists()


def test_job_closes_unanswered_pauses(settings, contact, dpo):
    settings.SUBJECT_REQUEST_PAUSE_CLOSE_DAYS = 30
    req = services.subject_request_create(contact=contact, kind="access")
    services.subject_request_assign(subject_request=req, actor=dpo, handler=dpo)
    services.subject_request_pause(subject_request=req, actor=dpo, reason="请补充")
    SubjectRequest.objects.filter(pk=req.pk).update(paused_at=timezone.now() - datetime.timedelta(days=31))
    assert services.check_subject_requests()["closed_paused"] == 1
    assert SubjectRequest.objects.get(pk=req.pk).status == S.CLOSED


def test_job_reminds_before_due_once_and_daily_when_overdue(contact, dpo, officer1):
    from zhaoshang.core.notifications.models import Notification

    req = services.subject_request_create(contact=contact, kind="access")
    services.subject_request_assign(subject_request=req, actor=dpo, handler=officer1)
    SubjectRequest.objects.filter(pk=req.pk).update(due_date=calendar.add_working_days(timezone.localdate(), 1))
    services.check_subject_requests()
    services.check_subject_requests()
    assert Notification.objects.filter(user=officer1, kind="subject_request_due").count() == 1
    SubjectRequest.objects.filter(pk=req.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=10))
    assert services.check_subject_requests()["overdue"] == 1
    services.check_subject_requests()
    assert Notification.objects.filter(user=officer1, kind="subject_request_overdue").count() == 1


def test_unassigned_overdue_request_goes_to_privacy_officers(contact, dpo):
    from zhaoshang.core.notifications.models import Notification

    req = services.subject_request_create(contact=contact, kind="access")
    SubjectRequest.objects.filter(pk=req.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    services.check_subject_requests()
    assert Notification.objects.filter(user=dpo, kind="subject_request_overdue").exists()


# --- retention ----------------------------------------------------------------------------------


def test_retention_keeps_only_kind_dates_and_outcome(contact, dpo, settings):
    from privacy.models import RetentionRule
    from privacy.requests.retention import SubjectRequests

    rule = RetentionRule.objects.get(code="subject-requests")
    assert rule.period_days == settings.SUBJECT_REQUEST_KEEP_DAYS == 730 and rule.action == "anonymise"
    req = services.subject_request_create(
        contact=contact, kind="correction", correction_field="name", correction_value="张三峰", details="名字写错了"
    )
    services.subject_request_assign(subject_request=req, actor=dpo, handler=dpo)
    services.subject_request_refuse(subject_request=req, actor=dpo, ground="no_data", text="无此记录")
    open_req = services.subject_request_create(contact=contact, kind="access")
    SubjectRequest.objects.update(received_at=timezone.now() - datetime.timedelta(days=731))
    category = SubjectRequests()
    ids = list(category.candidates(rule, timezone.now()).values_list("pk", flat=True))
    assert ids == [req.pk]  # open requests are never candidates
    category.anonymise(ids, using="default", reference="test")
    row = SubjectRequest.objects.get(pk=req.pk)
    assert row.redacted and row.contact_id is None and row.kind == "correction" and row.status == S.REFUSED
    assert row.details == "" and row.correction_value == "" and row.refusal_ground == "no_data"
    raw = SubjectRequestEvent._base_manager.filter(request=req).values_list("message", flat=True)
    assert len(raw) > 1 and set(raw) == {""}
    assert SubjectRequest.objects.get(pk=open_req.pk).contact_id == contact.pk
