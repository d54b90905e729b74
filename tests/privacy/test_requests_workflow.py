"""[H] Data-subject requests: one test per transition and per refusal path, fulfilment per kind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from privacy.requests import services
from privacy.requests.models import RequestStatus, SubjectRequest, SubjectRequestEvent

S = RequestStatus
A = SubjectRequestEvent.Action

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    from privacy.sms import LocmemSmsBackend

    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


def _req(contact, kind="access", **kw):
    return services.subject_request_create(contact=contact, kind=kind, **kw)


def _actions(req):
    return list(req.events.order_by("at", "pk").values_list("action", flat=True))


def _in_progress(contact, dpo, kind="access", **kw):
    req = _req(contact, kind, **kw)
    if req.status == S.AWAITING_VERIFICATION:
        services.subject_request_verify(subject_request=req, actor=dpo, note="当面查验身份证")
    return services.subject_request_assign(subject_request=req, actor=dpo, handler=dpo)


def test_selfservice_request_is_received_and_verified_by_the_link(contact):
    req = _req(contact, "access")
    assert req.status == S.RECEIVED and req.verified_at is not None
    assert _actions(req) == [A.RECEIVE]


def test_deletion_portability_and_relatives_wait_for_verification(contact):
    assert _req(contact, "deletion").status == S.AWAITING_VERIFICATION
    assert _req(contact, "portability").status == S.AWAITING_VERIFICATION
    proof = SimpleUploadedFile("p.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    rel = _req(contact, "access", requester="relative", relative_name="张小丰", relationship="child", proof=proof)
    assert rel.status == S.AWAITING_VERIFICATION
    # the proof is stored encrypted: the stored bytes are not the upload's
    with rel.proof.open("rb") as handle:
        assert b"%PDF" not in handle.read()


def test_relative_request_needs_name_relationship_and_proof(contact):
    with pytest.raises(ValidationError):
        _req(contact, "access", requester="relative", relative_name="张小丰", relationship="child")
    with pytest.raises(ValidationError):
        _req(contact, "access", requester="relative", relationship="child", proof=b"x")


def test_correction_needs_field_and_value(contact):
    with pytest.raises(ValidationError):
        _req(contact, "correction", correction_field="position")


def test_send_code_and_verify_with_code(contact, monkeypatch):
    from privacy.requests import codes

    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: 123456)
    req = _req(contact, "deletion")
    assert services.subject_request_send_code(subject_request=req) == "sms"
    services.subject_request_verify_code(subject_request=req, code="123456")
    req.refresh_from_db()
    assert req.status == S.RECEIVED and req.verified_at is not None
    assert _actions(req) == [A.RECEIVE, A.CODE_SENT, A.VERIFY]


def test_staff_verify_in_person_needs_a_note_and_the_officer(contact, dpo, officer1):
    req = _req(contact, "deletion")
    with pytest.raises(ValidationError):
        services.subject_request_verify(subject_request=req, actor=dpo, note=" ")
    with pytest.raises(PermissionDenied):
        services.subject_request_verify(subject_request=req, actor=officer1, note="当面")
    services.subject_request_verify(subject_request=req, actor=dpo, note="当面查验身份证")
    req.refresh_from_db()
    assert req.status == S.RECEIVED


def test_assign_puts_request_in_progress_and_notifies_handler(contact, dpo, officer1):
    from zhaoshang.core.notifications.models import Notification

    req = _req(contact, "correction", correction_field="position", correction_value="总经理")
    services.subject_request_assign(subject_request=req, actor=dpo, handler=officer1)
    req.refresh_from_db()
    assert req.status == S.IN_PROGRESS and req.assigned_to == officer1
    assert Notification.objects.filter(user=officer1, kind="subject_request_assigned").exists()


def test_assign_refused_for_non_officer_and_for_handler_out_of_scope(contact, dpo, officer1, officer2):
    req = _req(contact)
    with pytest.raises(PermissionDenied):
        services.subject_request_assign(subject_request=req, actor=officer1, handler=officer1)
    with pytest.raises(ValidationError):  # officer2 cannot see officer1's enterprise
        services.subject_request_assign(subject_request=req, actor=dpo, handler=officer2)


def test_pause_and_resume_keep_the_remaining_working_days(contact, dpo):
    req = _in_progress(contact, dpo)
    services.subject_request_pause(subject_request=req, actor=dpo, reason="请补充身份证明")
    req.refresh_from_db()
    assert req.status == S.PAUSED and req.remaining_days is not None
    assert not req.is_overdue()  # a paused clock is never overdue
    services.subject_request_resume(subject_request=req, reply="已补充")
    req.refresh_from_db()
    assert req.status == S.IN_PROGRESS and req.remaining_days is None
    assert _actions(req)[-2:] == [A.PAUSE, A.RESUME]


def test_pause_refused_from_received_and_without_reason(contact, dpo):
    req = _req(contact)
    with pytest.raises(ValidationError):
        services.subject_request_pause(subject_request=req, actor=dpo, reason="x")
    req = _in_progress(contact, dpo)
    with pytest.raises(ValidationError):
        services.subject_request_pause(subject_request=req, actor=dpo, reason="")


def test_extension_once_with_reason_told_to_requester(contact, dpo, django_capture_on_commit_callbacks):
    from privacy.sms import LocmemSmsBackend

    req = _in_progress(contact, dpo)
    before = req.due_date
    with django_capture_on_commit_callbacks(execute=True):
        services.subject_request_extend(subject_request=req, actor=dpo, reason="涉及多个项目的记录")
    req.refresh_from_db()
    assert req.due_date > before and req.extended_at is not None
    assert any("涉及多个项目的记录" in text for _n, text in LocmemSmsBackend.outbox)
    with pytest.raises(ValidationError):
        services.subject_request_extend(subject_request=req, actor=dpo, reason="再次延期")


def test_refusal_needs_ground_and_text_and_names_remedies(contact, dpo, django_capture_on_commit_callbacks):
    from privacy.sms import LocmemSmsBackend

    req = _in_progress(contact, dpo)
    with pytest.raises(ValidationError):
        services.subject_request_refuse(subject_request=req, actor=dpo, ground="made-up", text="x")
    with pytest.raises(ValidationError):
        services.subject_request_refuse(subject_request=req, actor=dpo, ground="unfounded", text="")
    with django_capture_on_commit_callbacks(execute=True):
        services.subject_request_refuse(
            subject_request=req, actor=dpo, ground="unfounded", text="同一请求一周内第五次提出"
        )
    req.refresh_from_db()
    assert req.status == S.REFUSED and req.refusal_ground == "unfounded"
    assert req.outcome == "同一请求一周内第五次提出"
    (sent,) = [text for _n, text in LocmemSmsBackend.outbox if "不予办理" in text]
    assert "请求明显无理或反复提出" in sent and "第五十条" in sent and "/complaints/" in sent


def test_refusal_only_by_the_privacy_officer(contact, dpo, officer1):
    req = _req(contact)
    services.subject_request_assign(subject_request=req, actor=dpo, handler=officer1)
    with pytest.raises(PermissionDenied):
        services.subject_request_refuse(subject_request=req, actor=officer1, ground="unfounded", text="x")


def test_refusal_of_a_closed_request_is_refused(contact, dpo):
    req = _in_progress(contact, dpo, "explanation")
    services.subject_request_complete(subject_request=req, actor=dpo, outcome="已说明")
    with pytest.raises(ValidationError):
        services.subject_request_refuse(subject_request=req, actor=dpo, ground="unfounded", text="x")


def test_complete_access_enqueues_the_package(contact, dpo, monkeypatch, django_capture_on_commit_callbacks):
    built = []

    import privacy.requests.tasks as tasks

    monkeypatch.setattr(tasks, "build_request_package", type("T", (), {"name": "t"})())
    monkeypatch.setattr("zhaoshang.core.tasks.enqueue", lambda task, *ids, **kw: built.append(ids))
    req = _in_progress(contact, dpo, "access")
    services.subject_request_complete(subject_request=req, actor=dpo, outcome="副本已生成，请在自助页面下载")
    req.refresh_from_db()
    assert req.status == S.COMPLETED and built == [(req.pk, dpo.pk)]


def test_package_task_calls_package_build(contact, dpo, monkeypatch):
    import sys
    import types

    calls = []
    fake = types.ModuleType("privacy.requests.package")
    fake.package_build = lambda *, subject_request, actor: calls.append((subject_request.pk, actor.pk))
    monkeypatch.setitem(sys.modules, "privacy.requests.package", fake)
    from privacy.requests.tasks import build_request_package

    req = _req(contact)
    build_request_package(req.pk, dpo.pk)
    assert calls == [(req.pk, dpo.pk)]


def test_complete_correction_applies_the_reviewed_value(contact, officer1, dpo):
    req = _req(contact, "correction", correction_field="position", correction_value="副总")
    services.subject_request_assign(subject_request=req, actor=dpo, handler=officer1)
    services.subject_request_complete(
        subject_request=req, actor=officer1, outcome="已更正", correction_value="副总经理"
    )
    contact.refresh_from_db()
    req.refresh_from_db()
    assert contact.position == "副总经理" and req.status == S.COMPLETED


def test_correction_without_write_permission_stays_open(contact, dpo):
    req = _in_progress(contact, dpo, "correction", correction_field="position", correction_value="副总")
    with pytest.raises(services.FulfilmentRefused):
        services.subject_request_complete(subject_request=req, actor=dpo, outcome="已更正")
    req.refresh_from_db()
    assert req.status == S.IN_PROGRESS and A.FULFIL_FAILED in _actions(req)


def _fake_erasure(monkeypatch, refuse=None):
    import sys
    import types

    calls = []

    class ErasureRefused(Exception):
        pass

    def contact_erase(contact, *, reason, actor):
        if refuse:
            raise ErasureRefused(refuse)
        calls.append((contact.pk, reason, actor.pk))

    fake = types.ModuleType("privacy.requests.erasure")
    fake.contact_erase, fake.ErasureRefused = contact_erase, ErasureRefused
    monkeypatch.setitem(sys.modules, "privacy.requests.erasure", fake)
    return calls


def test_complete_deletion_calls_contact_erase_with_the_outcome_as_reason(contact, dpo, monkeypatch):
    calls = _fake_erasure(monkeypatch)
    req = _in_progress(contact, dpo, "deletion", details="请删除我的全部信息")
    services.subject_request_complete(subject_request=req, actor=dpo, outcome="已删除")
    req = SubjectRequest.objects.get(pk=req.pk)
    assert calls == [(contact.pk, "已删除", dpo.pk)]
    assert req.status == S.COMPLETED


def test_complete_deletion_for_real_blanks_the_request_and_answers_under_a_fresh_key(
    contact, dpo, django_capture_on_commit_callbacks
):
    req = _in_progress(contact, dpo, "deletion", details="请删除我的全部信息")
    old_key = req.subject_key_id
    with django_capture_on_commit_callbacks(execute=True):
        services.subject_request_complete(subject_request=req, actor=dpo, outcome="已按您的请求删除")
    req = SubjectRequest.objects.get(pk=req.pk)
    assert req.status == S.COMPLETED and req.details == ""
    assert req.subject_key_id not in (None, old_key)
    assert req.outcome == "已按您的请求删除"  # written after the erasure, readable
    assert [e.message for e in req.events.order_by("pk")][-1] == "已按您的请求删除"


def test_deletion_refused_under_a_hold_shows_the_reason_and_stays_open(contact, dpo, monkeypatch):
    _fake_erasure(monkeypatch, refuse="该联系人处于法律保全中，暂不能删除。")
    req = _in_progress(contact, dpo, "deletion")
    with pytest.raises(services.FulfilmentRefused) as exc:
        services.subject_request_complete(subject_request=req, actor=dpo, outcome="已删除")
    assert "法律保全" in exc.value.messages[0]
    req.refresh_from_db()
    assert req.status == S.IN_PROGRESS


def test_complete_restriction_places_a_restriction_hold(contact, dpo):
    from privacy.models import LegalHold

    req = _in_progress(contact, dpo, "restriction")
    services.subject_request_complete(subject_request=req, actor=dpo, outcome="已限制处理")
    hold = LegalHold.objects.get(contact=contact)
    assert hold.kind == LegalHold.Kind.RESTRICTION and hold.reference == f"SR-{req.pk}"


def test_complete_withdrawal_withdraws_every_consent(contact, dpo):
    from privacy.consent import services as consent_services
    from privacy.consent.models import Channel, ConsentState, Purpose

    purpose = Purpose.objects.filter(is_active=True, legal_basis="consent", requires_separate_consent=False).first()
    consent_services.consent_grant(contact=contact, purpose=purpose, channel=Channel.SELFSERVICE)
    assert ConsentState.objects.filter(contact=contact, granted=True).exists()
    req = _in_progress(contact, dpo, "withdrawal")
    services.subject_request_complete(subject_request=req, actor=dpo, outcome="已撤回")
    assert not ConsentState.objects.filter(contact=contact, granted=True).exists()


def test_partly_completed_without_applying(contact, dpo):
    req = _in_progress(contact, dpo, "restriction")
    services.subject_request_complete(subject_request=req, actor=dpo, outcome="部分", partly=True, apply=False)
    req.refresh_from_db()
    assert req.status == S.PARTLY_COMPLETED


def test_complete_needs_an_outcome_and_in_progress(contact, dpo):
    req = _req(contact, "explanation")
    with pytest.raises(ValidationError):
        services.subject_request_complete(subject_request=req, actor=dpo, outcome="x")  # not assigned yet
    req = _in_progress(contact, dpo, "explanation")
    with pytest.raises(ValidationError):
        services.subject_request_complete(subject_request=req, actor=dpo, outcome="")


def test_handler_may_only_act_on_requests_assigned_to_them(contact, dpo, officer1, head1):
    req = _req(contact, "explanation")
    services.subject_request_assign(subject_request=req, actor=dpo, handler=officer1)
    with pytest.raises(PermissionDenied):
        services.subject_request_note(subject_request=req, actor=head1, text="x")
    services.subject_request_note(subject_request=req, actor=officer1, text="已电话联系")
    assert A.NOTE in _actions(req)
