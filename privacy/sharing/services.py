"""Partners, agreements and shares: the one path for each change, and the checks a share must pass.

Partners
    `partner_create` / `partner_update` / `partner_vet` / `partner_evaluate`. A failed evaluation
    suspends the partner: nothing goes to a partner that is not vetted and active.

Agreements
    `agreement_create` / `agreement_update` (drafts), `agreement_sign` (the signed file, stored
    encrypted; refused while a term the kind requires is missing, while a cross-border agreement
    names no mechanism, or without an approved, in-date impact assessment covering the partner and
    each purpose), `agreement_terminate`, and at the end `agreement_return_confirm`: the
    return-or-deletion confirmation is tracked (and reminded weekly) until received.

Shares
    `share_check` runs every refusal in order and partitions the people set-based — a constant
    number of queries whatever their number: the consent service's one check (`consent_filter`,
    which applies separate consent for this recipient and every restriction) gives the eligible;
    one more query counts the restricted. `share_create` repeats the check inside its transaction,
    refuses exclusions the sharer did not confirm, and writes the share record, its people, one
    ``share`` access event per person and the recipient's encrypted xlsx — all or nothing.
    `share_download` hands the file to the sharer once, then deletes it.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.roles import has_role
from privacy import files
from privacy.assessments.models import Trigger
from privacy.assessments.services import AssessmentMissing, assessment_covering
from zhaoshang.core.localized import join_list

from .models import (
    Agreement,
    AgreementKind,
    CrossBorderMechanism,
    EvaluationResult,
    Partner,
    PartnerEvaluation,
    ReturnDeletion,
    VettingStatus,
)

SIGNED_FILE = "privacy.agreement_signed_file"  # purpose of the encrypted signed text


class ShareRefused(ValidationError):
    """A share (or an agreement step) the rules refuse; the message says why, in Chinese."""


def _require_officer(user):
    if not has_role(user, "privacy_officer"):
        raise PermissionDenied(_("只有个人信息保护负责人可以执行此操作。"))


# --- Partners ------------------------------------------------------------------------------------

PARTNER_FIELDS = [
    "name",
    "kind",
    "credit_code",
    "foreign_registration",
    "country",
    "overseas",
    "contact_person",
    "contact_phone",
    "contact_email",
    "contact_channel",
    "security_measures",
    "evaluation_interval_days",
    "next_evaluation_due",
    "is_active",
]


def _clean_partner(partner):
    if partner.kind == Partner.Kind.OVERSEAS_HQ:
        partner.overseas = True
    if partner.overseas and not partner.foreign_registration.strip():
        raise ShareRefused({"foreign_registration": _("境外机构须填写境外登记注册号。")})
    if not partner.overseas and not partner.credit_code.strip():
        raise ShareRefused({"credit_code": _("境内机构须填写统一社会信用代码。")})
    if not (partner.contact_phone or partner.contact_email):
        raise ShareRefused(
            {"contact_phone": _("请至少填写一种联系方式（电话或邮箱）：单独同意须告知接收方的联系方式。")}
        )


@transaction.atomic
def partner_create(*, user, **data):
    _require_officer(user)
    partner = Partner(created_by=user, **{k: v for k, v in data.items() if k in PARTNER_FIELDS})
    _clean_partner(partner)
    if partner.next_evaluation_due is None:
        partner.next_evaluation_due = timezone.localdate() + datetime.timedelta(days=partner.evaluation_interval_days)
    partner.save()
    return partner


@transaction.atomic
def partner_update(*, partner, user, **data):
    _require_officer(user)
    partner = Partner.objects.select_for_update(of=("self",)).get(pk=partner.pk)
    for name, value in data.items():
        if name in PARTNER_FIELDS:
            setattr(partner, name, value)
    _clean_partner(partner)
    partner.save()
    return partner


@transaction.atomic
def partner_vet(*, partner, user, status):
    """Record the outcome of vetting (or suspend / resume cooperation)."""
    _require_officer(user)
    if status not in VettingStatus.values:
        raise ShareRefused(_("审查结论无效。"))
    partner = Partner.objects.select_for_update(of=("self",)).get(pk=partner.pk)
    partner.vetting_status = status
    partner.vetted_at = timezone.now()
    partner.vetted_by = user
    partner.save(update_fields=["vetting_status", "vetted_at", "vetted_by", "updated_at"])
    return partner


@transaction.atomic
def partner_evaluate(*, partner, user, score, result, notes="", evaluated_on=None, next_due=None):
    """Record a periodic evaluation; the next one falls due an interval later. A fail suspends."""
    _require_officer(user)
    if not 0 <= int(score) <= 100:
        raise ShareRefused({"score": _("评分须在 0 至 100 之间。")})
    partner = Partner.objects.select_for_update(of=("self",)).get(pk=partner.pk)
    evaluated_on = evaluated_on or timezone.localdate()
    next_due = next_due or evaluated_on + datetime.timedelta(days=partner.evaluation_interval_days)
    if next_due <= evaluated_on:
        raise ShareRefused({"next_due": _("下次评估日期须晚于本次评估日期。")})
    evaluation = PartnerEvaluation.objects.create(
        partner=partner,
        evaluated_on=evaluated_on,
        score=score,
        result=result,
        notes=notes,
        next_due=next_due,
        evaluator=user,
    )
    partner.next_evaluation_due = next_due
    fields = ["next_evaluation_due", "updated_at"]
    if result == EvaluationResult.FAIL:
        partner.vetting_status = VettingStatus.SUSPENDED
        partner.vetted_at, partner.vetted_by = timezone.now(), user
        fields += ["vetting_status", "vetted_at", "vetted_by"]
    partner.save(update_fields=fields)
    return evaluation


# --- Agreements ----------------------------------------------------------------------------------

AGREEMENT_FIELDS = [
    "kind",
    "number",
    "title",
    "categories",
    "processing_method",
    "valid_from",
    "valid_until",
    "term_purpose",
    "term_duration",
    "term_method",
    "term_categories",
    "term_protection",
    "term_rights_duties",
    "term_return_deletion",
    "term_no_subentrust",
    "cross_border_mechanism",
    "cross_border_reference",
]


def _clean_agreement(agreement):
    if agreement.valid_until < agreement.valid_from:
        raise ShareRefused({"valid_until": _("到期日期不能早于生效日期。")})
    if agreement.partner.overseas and not agreement.cross_border_mechanism:
        raise ShareRefused(
            {"cross_border_mechanism": _("接收方位于境外：须载明出境路径（安全评估、标准合同备案或认证）。")}
        )
    if not agreement.partner.overseas:
        agreement.cross_border_mechanism = CrossBorderMechanism.NONE
        agreement.cross_border_reference = ""


def _editable(agreement):
    if agreement.signed_at:
        raise ShareRefused(_("协议已登记签署，不能再修改；如内容变更，请登记新的协议。"))


@transaction.atomic
def agreement_create(*, user, partner, purposes=(), **data):
    _require_officer(user)
    agreement = Agreement(partner=partner, created_by=user, **{k: v for k, v in data.items() if k in AGREEMENT_FIELDS})
    _clean_agreement(agreement)
    agreement.save()
    agreement.purposes.set(purposes)
    return agreement


@transaction.atomic
def agreement_update(*, agreement, user, purposes=None, **data):
    _require_officer(user)
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("partner").get(pk=agreement.pk)
    _editable(agreement)
    for name, value in data.items():
        if name in AGREEMENT_FIELDS:
            setattr(agreement, name, value)
    _clean_agreement(agreement)
    agreement.save()
    if purposes is not None:
        agreement.purposes.set(purposes)
    return agreement


def _agreement_trigger(agreement):
    if agreement.partner.overseas:
        return Trigger.CROSS_BORDER
    return Trigger.ENTRUST if agreement.kind == AgreementKind.ENTRUSTED else Trigger.PROVIDE


@transaction.atomic
def agreement_sign(*, agreement, user, upload, content_type):
    """Register the signed agreement: its file (encrypted under the agreement's key) and sign date.

    Refused while a required term is missing, while it names no purpose or category, or unless an
    approved, in-date impact assessment covers the partner and each of its purposes.
    """
    _require_officer(user)
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("partner").get(pk=agreement.pk)
    _editable(agreement)
    missing = agreement.missing_terms()
    if missing:
        raise ShareRefused(_("协议缺少法律要求的条款：%(terms)s。请补全后再登记签署。") % {"terms": join_list(missing)})
    purposes = list(agreement.purposes.all())
    if not purposes or not agreement.categories:
        raise ShareRefused(_("协议须约定处理用途和个人信息种类。"))
    _clean_agreement(agreement)
    trigger = _agreement_trigger(agreement)
    for purpose in purposes:
        try:
            assessment_covering(agreement.partner, purpose, trigger=trigger)
        except AssessmentMissing as exc:
            raise ShareRefused(exc.message) from None
    agreement.signed_file = files.encrypted_upload(agreement, upload, purpose=SIGNED_FILE)
    agreement.signed_file_type = content_type
    agreement.signed_at = timezone.now()
    agreement.signed_by = user
    agreement.save(update_fields=["signed_file", "signed_file_type", "signed_at", "signed_by", "updated_at"])
    return agreement


def agreement_signed_file(agreement):
    """The plaintext of the signed file (for the privacy officer's download)."""
    return files.open_decrypted(agreement, agreement.signed_file, purpose=SIGNED_FILE)


@transaction.atomic
def agreement_terminate(*, agreement, user, reason):
    """End an agreement early; the recipient's return-or-deletion confirmation becomes due."""
    _require_officer(user)
    agreement = Agreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)
    if agreement.terminated_at:
        raise ShareRefused(_("协议已终止。"))
    if not (reason or "").strip():
        raise ShareRefused({"reason": _("请填写终止原因。")})
    now = timezone.now()
    agreement.terminated_at = now
    agreement.termination_reason = reason[:300]
    fields = ["terminated_at", "termination_reason", "updated_at"]
    if agreement.signed_at and agreement.return_deletion == ReturnDeletion.NOT_DUE:
        agreement.return_deletion = ReturnDeletion.PENDING
        agreement.return_deletion_requested_at = now
        fields += ["return_deletion", "return_deletion_requested_at"]
    agreement.save(update_fields=fields)
    return agreement


@transaction.atomic
def agreement_return_confirm(*, agreement, user, note):
    """The recipient confirmed it returned or deleted the personal information."""
    _require_officer(user)
    agreement = Agreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)
    if agreement.return_deletion != ReturnDeletion.PENDING:
        raise ShareRefused(_("该协议目前无需确认返还或删除。"))
    if not (note or "").strip():
        raise ShareRefused({"note": _("请说明确认方式（如删除证明、返还清单）。")})
    agreement.return_deletion = ReturnDeletion.RECEIVED
    agreement.return_deletion_received_at = timezone.now()
    agreement.return_deletion_note = note[:300]
    agreement.save(
        update_fields=["return_deletion", "return_deletion_received_at", "return_deletion_note", "updated_at"]
    )
    return agreement


def agreements_mark_ended(*, today=None):
    """Signed agreements past their end date now await the return-or-deletion confirmation."""
    today = today or timezone.localdate()
    ended = Agreement.objects.filter(
        signed_at__isnull=False, valid_until__lt=today, return_deletion=ReturnDeletion.NOT_DUE
    )
    count = 0
    for agreement in ended:  # few rows; saved one by one so the change trail records each
        agreement.return_deletion = ReturnDeletion.PENDING
        agreement.return_deletion_requested_at = timezone.now()
        agreement.save(update_fields=["return_deletion", "return_deletion_requested_at", "updated_at"])
        count += 1
    return count


def _provision_agreements(purpose, today=None):
    """Agreements in force under which `purpose` provides data to another handler."""
    return Agreement.objects.in_force(today).filter(
        kind__in=[AgreementKind.PROVIDING, AgreementKind.JOINT], purposes=purpose
    )


def recipients_for(purpose, today=None):
    """Vetted, active partners with an agreement in force to receive data for `purpose`: the
    recipients a person is asked to consent to, one separate consent each (PIPL Art. 23)."""
    agreements = _provision_agreements(purpose, today).values("partner_id")
    return Partner.objects.usable().filter(pk__in=agreements).order_by("name", "pk")


def recipient_terms(partner, purpose, today=None):
    """(processing method, categories) the agreement in force with `partner` for `purpose` names,
    shown on the person's separate-consent step; ("", []) when there is none."""
    agreement = _provision_agreements(purpose, today).filter(partner=partner).order_by("-valid_until").first()
    if agreement is None:
        return "", []
    return agreement.processing_method, list(agreement.categories)


# The shares themselves (checks, record, file, download) live in `shares.py`; re-exported here so
# that `privacy.sharing.services` stays the one entry point.
from .shares import (  # noqa: E402
    ShareCheck,
    get_share_for_user,
    share_check,
    share_create,
    share_download,
    shares_expire_files,
)

__all__ = [
    "ShareCheck",
    "ShareRefused",
    "agreement_create",
    "agreement_return_confirm",
    "agreement_sign",
    "agreement_terminate",
    "agreement_update",
    "agreements_mark_ended",
    "get_share_for_user",
    "partner_create",
    "partner_evaluate",
    "partner_update",
    "partner_vet",
    "recipient_terms",
    "recipients_for",
    "share_check",
    "share_create",
    "share_download",
    "shares_expire_files",
]
