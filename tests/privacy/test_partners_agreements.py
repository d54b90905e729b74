"""Partners and agreements: vetting and evaluation, the legal terms, signing only under an approved
assessment, the encrypted signed file, cross-border mechanisms, termination and the tracked
return-or-deletion confirmation, and the reminders of expiry and evaluation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from privacy import files
from privacy.models import Purpose
from privacy.sharing import reminders, services
from privacy.sharing.models import Agreement

from . import sharing_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def purpose(db):
    return Purpose.objects.get(code="partner_sharing")


def test_only_the_privacy_officer_registers_partners(officer1, head1):
    for user in (officer1, head1):
        with pytest.raises(PermissionDenied):
            f.partner(user)


def test_domestic_partner_needs_credit_code_and_overseas_one_a_registration(dpo):
    with pytest.raises(services.ShareRefused) as exc:
        f.partner(dpo, credit_code="")
    assert "统一社会信用代码" in exc.value.messages[0]
    with pytest.raises(services.ShareRefused) as exc:
        f.partner(dpo, overseas=True, foreign_registration="")
    assert "境外登记注册号" in exc.value.messages[0]


def test_failed_evaluation_suspends_the_partner_and_sets_the_next_due_date(dpo):
    partner = f.partner(dpo)
    today = timezone.localdate()
    services.partner_evaluate(partner=partner, user=dpo, score=90, result="pass")
    partner.refresh_from_db()
    assert partner.next_evaluation_due == today + datetime.timedelta(days=365) and partner.is_usable
    services.partner_evaluate(partner=partner, user=dpo, score=40, result="fail", notes="未落实加密传输")
    partner.refresh_from_db()
    assert partner.vetting_status == "suspended" and not partner.is_usable


def test_signing_is_refused_while_a_required_term_is_missing(dpo, purpose):
    partner = f.partner(dpo)
    f.assessment(dpo, partner, [purpose])
    agreement = f.agreement(dpo, partner, [purpose], sign=False, term_return_deletion=False)
    with pytest.raises(services.ShareRefused) as exc:
        services.agreement_sign(agreement=agreement, user=dpo, upload=f.signed_pdf(), content_type="application/pdf")
    assert "合同终止后返还或者删除个人信息" in exc.value.messages[0]


def test_entrusted_processing_requires_the_no_subentrusting_term_providing_does_not(dpo, purpose):
    partner = f.partner(dpo)
    f.assessment(dpo, partner, [purpose], triggers=("provide", "entrust"))
    entrusted = f.agreement(dpo, partner, [purpose], kind="entrusted", sign=False, term_no_subentrust=False)
    assert [str(t) for t in entrusted.missing_terms()] == ["未经同意不得转委托"]
    providing = f.agreement(dpo, partner, [purpose], sign=False, term_no_subentrust=False)
    assert providing.missing_terms() == []


def test_signing_needs_an_approved_assessment_covering_partner_and_purpose(dpo, purpose):
    partner = f.partner(dpo)
    agreement = f.agreement(dpo, partner, [purpose], sign=False)
    with pytest.raises(services.ShareRefused) as exc:
        services.agreement_sign(agreement=agreement, user=dpo, upload=f.signed_pdf(), content_type="application/pdf")
    assert "影响评估" in exc.value.messages[0]
    f.assessment(dpo, partner, [purpose], approve=False)
    with pytest.raises(services.ShareRefused) as exc:
        services.agreement_sign(agreement=agreement, user=dpo, upload=f.signed_pdf(), content_type="application/pdf")
    assert "尚未经个人信息保护负责人批准" in exc.value.messages[0]


def test_signed_file_is_stored_encrypted_and_reads_back(dpo, purpose):
    from django.core.files.storage import default_storage

    _partner, agreement, _a, _p = f.ready(dpo)
    with default_storage.open(agreement.signed_file.name, "rb") as handle:
        blob = handle.read()
    assert files.looks_encrypted(blob[:16]) and b"%PDF" not in blob
    assert services.agreement_signed_file(agreement) == f.PDF
    assert agreement.is_in_force()


def test_cross_border_agreement_must_name_its_mechanism(dpo):
    purpose = Purpose.objects.get(code="overseas_hq")
    partner = f.partner(dpo, overseas=True)
    with pytest.raises(services.ShareRefused) as exc:
        f.agreement(dpo, partner, [purpose], sign=False, cross_border_mechanism="")
    assert "出境路径" in exc.value.messages[0]


def test_cross_border_agreement_needs_an_assessment_of_the_cross_border_trigger(dpo):
    purpose = Purpose.objects.get(code="overseas_hq")
    partner = f.partner(dpo, overseas=True)
    f.assessment(dpo, partner, [purpose], triggers=("provide",))
    agreement = f.agreement(dpo, partner, [purpose], sign=False)
    with pytest.raises(services.ShareRefused) as exc:
        services.agreement_sign(agreement=agreement, user=dpo, upload=f.signed_pdf(), content_type="application/pdf")
    assert "向境外提供个人信息" in exc.value.messages[0]


def test_signed_agreement_cannot_be_edited(dpo):
    _partner, agreement, _a, _p = f.ready(dpo)
    with pytest.raises(services.ShareRefused):
        services.agreement_update(agreement=agreement, user=dpo, title="改名")


def test_termination_makes_the_return_or_deletion_confirmation_due_until_received(dpo, client_for):
    _partner, agreement, _a, _p = f.ready(dpo)
    services.agreement_terminate(agreement=agreement, user=dpo, reason="合作结束")
    agreement.refresh_from_db()
    assert agreement.return_deletion == "pending" and not agreement.is_in_force()
    listing = client_for(dpo).get("/privacy/agreements/?show=return").content.decode()
    assert agreement.number in listing
    with pytest.raises(services.ShareRefused):
        services.agreement_return_confirm(agreement=agreement, user=dpo, note="")
    services.agreement_return_confirm(agreement=agreement, user=dpo, note="收到删除证明")
    agreement.refresh_from_db()
    assert agreement.return_deletion == "received" and agreement.return_deletion_received_at


def test_an_agreement_past_its_end_awaits_the_confirmation(dpo):
    _partner, agreement, _a, _p = f.ready(dpo)
    Agreement.objects.filter(pk=agreement.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    assert services.agreements_mark_ended() == 1
    agreement.refresh_from_db()
    assert agreement.return_deletion == "pending"
    assert services.agreements_mark_ended() == 0


def test_terminate_page_says_what_happens_before_it_is_done(dpo, client_for):
    _partner, agreement, _a, _p = f.ready(dpo)
    client = client_for(dpo)
    body = client.get(f"/privacy/agreements/{agreement.pk}/terminate/").content.decode()
    assert "此操作不能撤销" in body and "返还或删除" in body
    agreement.refresh_from_db()
    assert agreement.terminated_at is None
    response = client.post(f"/privacy/agreements/{agreement.pk}/terminate/", {"reason": ""})
    assert response.status_code == 200 and "必填" in response.content.decode()


def test_agreement_sign_page_refuses_a_non_pdf_with_a_message(dpo, client_for, purpose):
    from django.core.files.uploadedfile import SimpleUploadedFile

    partner = f.partner(dpo)
    f.assessment(dpo, partner, [purpose])
    agreement = f.agreement(dpo, partner, [purpose], sign=False)
    upload = SimpleUploadedFile("signed.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for(dpo).post(f"/privacy/agreements/{agreement.pk}/sign/", {"signed_file": upload}, follow=True)
    assert "不是有效的图片或PDF文件" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.signed_at is None


def test_reminder_job_finds_agreements_expiring_in_30_and_7_days_and_due_evaluations(dpo, monkeypatch):
    today = timezone.localdate()
    partner, agreement, _a, _p = f.ready(dpo)
    other_partner, other, _a2, _p2 = f.ready(dpo)
    Agreement.objects.filter(pk=agreement.pk).update(valid_until=today + datetime.timedelta(days=30))
    Agreement.objects.filter(pk=other.pk).update(valid_until=today + datetime.timedelta(days=7))
    type(partner).objects.filter(pk=partner.pk).update(next_evaluation_due=today + datetime.timedelta(days=3))
    calls = []
    monkeypatch.setattr(
        reminders,
        "remind",
        lambda users, kind, obj, context, *, once_key: calls.append((kind, obj.pk, context, once_key)) or 1,
    )
    reminders.sharing_remind(today)
    kinds = {(kind, pk) for kind, pk, _c, _k in calls}
    assert ("agreement_expiring", agreement.pk) in kinds and ("agreement_expiring", other.pk) in kinds
    assert ("partner_evaluation_due", partner.pk) in kinds
    assert ("partner_evaluation_due", other_partner.pk) not in kinds  # due in a year
    days = {c["days"] for kind, _pk, c, _k in calls if kind == "agreement_expiring"}
    assert days == {30, 7}
    for _kind, _pk, context, _key in calls:  # references and dates only
        assert all(isinstance(v, (int, datetime.date)) for v in context.values())


def test_reminders_go_through_notify_once_per_due_date_and_carry_references_only(dpo):
    from zhaoshang.core.notifications.models import Notification

    today = timezone.localdate()
    partner, agreement, _a, _p = f.ready(dpo)
    Agreement.objects.filter(pk=agreement.pk).update(valid_until=today + datetime.timedelta(days=7))
    type(partner).objects.filter(pk=partner.pk).update(next_evaluation_due=today)
    assert reminders.sharing_remind(today) >= 2
    first = Notification.objects.count()
    reminders.sharing_remind(today)  # the daily job runs again: nobody is told twice
    assert Notification.objects.count() == first
    texts = [n.text for n in Notification.objects.filter(user=dpo)]
    assert any(f"协议 #{agreement.pk} 将于" in t and "剩余 7 天" in t for t in texts)
    assert any(f"合作方 #{partner.pk} 的定期评估" in t for t in texts)
    assert not any(partner.name in t or "王经理" in t for t in texts)
