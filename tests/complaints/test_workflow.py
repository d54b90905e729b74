"""The workflow state machine: every allowed and refused step, ratings, extensions, deadlines."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clients.models import Department
from complaints import services
from complaints.models import Complaint, ComplaintEvent, ExtensionRequest, Status

S = Status
A = ComplaintEvent.Action
ALL = list(S)


@pytest.fixture
def dept(org):
    return Department.objects.get(code="zs1")


def _at_status(complaint, status, handler=None):
    Complaint.objects.filter(pk=complaint.pk).update(status=status, handler=handler, replied_at=timezone.now())
    complaint.refresh_from_db()
    return complaint


def _run(action, complaint, *, office, officer, dept):
    if action == A.ASSIGN:
        return services.complaint_assign(complaint=complaint, actor=office, department=dept, handler=officer)
    if action == A.START:
        return services.complaint_start(complaint=complaint, actor=officer)
    if action == A.RETURN:
        return services.complaint_return(complaint=complaint, actor=officer, reason="不属于本部门职责")
    if action == A.REPLY:
        return services.complaint_reply(complaint=complaint, actor=officer, text="已核实并办理。")
    if action == A.FOLLOW_UP:
        return services.complaint_follow_up(complaint=complaint, actor=office, rating=4)
    if action == A.CLOSE:
        return services.complaint_close(complaint=complaint, actor=office)
    if action == A.REDO:
        return services.complaint_redo(complaint=complaint, actor=office, reason="答复不充分")
    if action == A.REOPEN:
        return services.complaint_reopen(complaint=complaint, actor=office, reason="新情况")
    if action == A.EXTENSION_REQUEST:
        return services.extension_request(complaint=complaint, actor=officer, reason="需协调", extra_working_days=5)
    raise AssertionError(action)


CASES = [
    (action, status, status in services.TRANSITIONS[action][0])
    for action in services.TRANSITIONS
    if action != A.RATE
    for status in ALL
]


@pytest.mark.parametrize(
    ("action", "status", "allowed"), CASES, ids=[f"{a}-{s}-{'ok' if ok else 'refused'}" for a, s, ok in CASES]
)
def test_transition_table_is_enforced(make_complaint, handler, officer1, dept, action, status, allowed):
    complaint, _secret = make_complaint()
    complaint = _at_status(complaint, status, handler=officer1)
    events_before = complaint.events.count()
    if allowed:
        _run(action, complaint, office=handler, officer=officer1, dept=dept)
        complaint.refresh_from_db()
        target = services.TRANSITIONS[action][1]
        if target is not None and action != A.FOLLOW_UP:
            assert complaint.status == target
        assert complaint.events.count() > events_before
    else:
        with pytest.raises(ValidationError) as exc:
            _run(action, complaint, office=handler, officer=officer1, dept=dept)
        assert "不能执行" in exc.value.messages[0]
        complaint.refresh_from_db()
        assert complaint.status == status
        assert complaint.events.count() == events_before


def test_full_path_to_closed_writes_a_timeline_step_each(make_complaint, handler, officer1, dept):
    complaint, _ = make_complaint()
    assert complaint.acknowledged_at is None
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is not None
    services.complaint_start(complaint=complaint, actor=officer1)
    services.complaint_note(complaint=complaint, actor=officer1, text="内部：已电话联系企业")
    services.complaint_reply(complaint=complaint, actor=officer1, text="补贴已于本周拨付。")
    services.complaint_follow_up(complaint=complaint, actor=handler, rating=5, comment="满意")
    services.complaint_close(complaint=complaint, actor=handler)
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED
    actions = list(complaint.events.values_list("action", flat=True))
    assert actions == ["submit", "assign", "start", "note", "reply", "rate", "follow_up", "close"]
    assert not complaint.events.get(action="note").public
    assert complaint.events.get(action="reply").public


def test_only_the_office_may_assign(make_complaint, officer1, head1, dept):
    complaint, _ = make_complaint()
    for actor in (officer1, head1):
        with pytest.raises(PermissionDenied):
            services.complaint_assign(complaint=complaint, actor=actor, department=dept, handler=officer1)


def test_handler_must_belong_to_the_department(make_complaint, handler, officer2, dept):
    complaint, _ = make_complaint()
    with pytest.raises(ValidationError, match="承办人不属于"):
        services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer2)


def test_return_clears_the_handler_and_office_reassigns(make_complaint, handler, officer1, officer3, dept):
    complaint, _ = make_complaint()
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    services.complaint_return(complaint=complaint, actor=officer1, reason="应由驻沪局办理")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.handler_id) == (S.RETURNED, None)
    sh = Department.objects.get(code="zs1-sh")
    services.complaint_assign(complaint=complaint, actor=handler, department=sh, handler=officer3)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.handler_id) == (S.ASSIGNED, officer3.pk)


@pytest.mark.parametrize(("rating", "status"), [(1, S.REDO), (2, S.REDO), (3, S.FOLLOWED_UP), (5, S.FOLLOWED_UP)])
def test_unsatisfied_rating_turns_into_redo(make_complaint, handler, officer1, dept, rating, status):
    complaint, _ = make_complaint()
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    services.complaint_start(complaint=complaint, actor=officer1)
    services.complaint_reply(complaint=complaint, actor=officer1, text="答复")
    services.complaint_rate(complaint=complaint, rating=rating, comment="")
    complaint.refresh_from_db()
    assert complaint.status == status
    assert complaint.redo_count == (1 if status == S.REDO else 0)


def test_unsatisfied_rating_after_close_reopens(make_complaint, handler, officer1, dept):
    complaint, _ = make_complaint()
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    services.complaint_start(complaint=complaint, actor=officer1)
    services.complaint_reply(complaint=complaint, actor=officer1, text="答复")
    services.complaint_close(complaint=complaint, actor=handler)
    services.complaint_rate(complaint=complaint, rating=1)
    complaint.refresh_from_db()
    assert complaint.status == S.REDO
    assert complaint.events.filter(action=A.REOPEN).exists()


def test_rating_twice_for_one_reply_is_refused(make_complaint, handler, officer1, dept):
    complaint, _ = make_complaint()
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    services.complaint_start(complaint=complaint, actor=officer1)
    services.complaint_reply(complaint=complaint, actor=officer1, text="答复")
    services.complaint_rate(complaint=complaint, rating=4)
    with pytest.raises(ValidationError):
        services.complaint_rate(complaint=complaint, rating=1)


def test_rating_before_a_reply_is_refused(make_complaint):
    complaint, _ = make_complaint()
    with pytest.raises(ValidationError, match="不能执行"):
        services.complaint_rate(complaint=complaint, rating=5)


def test_extension_approved_by_supervisor_moves_due_by_working_days(make_complaint, handler, officer1, head1, dept):
    complaint, _ = make_complaint(received_at=timezone.make_aware(datetime.datetime(2026, 9, 14, 10, 0)))
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    complaint.refresh_from_db()
    assert complaint.resolution_due == datetime.date(2026, 10, 8)  # 13 working days, 9/20 Sunday counted
    extension = services.extension_request(complaint=complaint, actor=officer1, reason="需协调", extra_working_days=2)
    with pytest.raises(ValidationError, match="待审批"):
        services.extension_request(complaint=complaint, actor=officer1, reason="再次", extra_working_days=1)
    services.extension_decide(extension=extension, actor=head1, approve=True)
    complaint.refresh_from_db()
    assert complaint.resolution_due == datetime.date(2026, 10, 10)  # Friday 10/9, then 调休 Saturday 10/10
    assert ExtensionRequest.objects.get(pk=extension.pk).status == "approved"


def test_extension_cannot_be_approved_by_an_unrelated_officer(make_complaint, handler, officer1, officer2, dept):
    complaint, _ = make_complaint()
    services.complaint_assign(complaint=complaint, actor=handler, department=dept, handler=officer1)
    extension = services.extension_request(complaint=complaint, actor=officer1, reason="需协调", extra_working_days=2)
    with pytest.raises(PermissionDenied):
        services.extension_decide(extension=extension, actor=officer2, approve=True)


def test_deadlines_from_the_day_before_national_day(make_complaint, kinds):
    received = timezone.make_aware(datetime.datetime(2026, 9, 30, 16, 0))
    complaint, _ = make_complaint(received_at=received)
    assert complaint.ack_due == datetime.date(2026, 10, 8)
    assert complaint.resolution_due == datetime.date(2026, 10, 23)
    consultation, _ = make_complaint(kind=kinds["consultation"], received_at=received)
    assert consultation.resolution_due == datetime.date(2026, 10, 10)  # 10/8, 10/9, then the 调休 Saturday


def test_reference_numbers_count_per_day(make_complaint):
    day1 = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
    day2 = timezone.make_aware(datetime.datetime(2026, 3, 3, 9, 0))
    refs = [make_complaint(received_at=at)[0].reference for at in (day1, day1, day2)]
    assert refs == ["TS-20260302-0001", "TS-20260302-0002", "TS-20260303-0001"]


def test_tracking_secret_is_stored_only_as_a_digest(make_complaint):
    complaint, secret = make_complaint()
    assert secret not in complaint.tracking_secret_hash
    assert complaint.secret_matches(secret)
    assert not complaint.secret_matches(secret[:-1] + ("A" if secret[-1] != "A" else "B"))
