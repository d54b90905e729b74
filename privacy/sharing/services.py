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
from contextlib import suppress
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.access import record_access_each
from clients.roles import has_role
from privacy import files
from privacy.assessments.models import Trigger
from privacy.assessments.services import AssessmentMissing, assessment_covering

from . import recipient_file
from .models import (
    Agreement,
    AgreementKind,
    CrossBorderMechanism,
    DataShare,
    EvaluationResult,
    Partner,
    PartnerEvaluation,
    ReturnDeletion,
    ShareStatus,
    ShareSubject,
    VettingStatus,
)

SIGNED_FILE = "privacy.agreement_signed_file"  # purpose of the encrypted signed text
SUBJECT_BATCH = 5000


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
        raise ShareRefused({"contact_phone": _("请至少填写一种联系方式（电话或邮箱）：单独同意须告知接收方的联系方式。")})


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
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
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
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
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
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
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
    agreement = Agreement.objects.select_for_update().select_related("partner").get(pk=agreement.pk)
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
    agreement = Agreement.objects.select_for_update().select_related("partner").get(pk=agreement.pk)
    _editable(agreement)
    missing = agreement.missing_terms()
    if missing:
        raise ShareRefused(
            _("协议缺少法律要求的条款：%(terms)s。请补全后再登记签署。") % {"terms": "、".join(str(t) for t in missing)}
        )
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
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
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
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
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


# --- Shares --------------------------------------------------------------------------------------


@dataclass
class ShareCheck:
    """The outcome of `share_check`: who may be shared with, who is excluded and why."""

    partner: Partner
    agreement: Agreement
    purpose: object
    assessment: object
    fields: list
    eligible_ids: list = field(default_factory=list)
    no_consent: int = 0
    restricted: int = 0

    @property
    def excluded(self):
        return self.no_consent + self.restricted

    @property
    def total(self):
        return len(self.eligible_ids) + self.excluded


def _provides_to_others(purpose):
    return bool(getattr(purpose, "provides_to_others", False) or purpose.requires_separate_consent)


def _check_agreement(partner, agreement, purpose, today):
    if agreement.partner_id != partner.pk:
        raise ShareRefused(_("所选协议不属于该合作方。"))
    if not partner.is_usable:
        raise ShareRefused(
            _("合作方“%(partner)s”目前为“%(status)s”，不能向其提供个人信息。")
            % {"partner": partner.name, "status": partner.get_vetting_status_display() if partner.is_active else _("已停止合作")}
        )
    status = agreement.status(today)
    if status == "expired":
        raise ShareRefused(
            _("协议“%(number)s”已于 %(date)s 到期，不能据此提供个人信息。")
            % {"number": agreement.number, "date": f"{agreement.valid_until:%Y-%m-%d}"}
        )
    if status == "terminated":
        raise ShareRefused(_("协议“%(number)s”已终止，不能据此提供个人信息。") % {"number": agreement.number})
    if status == "draft":
        raise ShareRefused(_("协议“%(number)s”尚未登记签署，不能据此提供个人信息。") % {"number": agreement.number})
    if status == "pending":
        raise ShareRefused(
            _("协议“%(number)s”自 %(date)s 起生效，目前不能据此提供个人信息。")
            % {"number": agreement.number, "date": f"{agreement.valid_from:%Y-%m-%d}"}
        )
    if _provides_to_others(purpose):
        if agreement.kind not in (AgreementKind.PROVIDING, AgreementKind.JOINT):
            raise ShareRefused(
                _("用途“%(purpose)s”是向他人提供，须依据“向他人提供”或“共同处理”协议，所选协议为“%(kind)s”。")
                % {"purpose": purpose.name, "kind": agreement.get_kind_display()}
            )
    elif agreement.kind != AgreementKind.ENTRUSTED:
        raise ShareRefused(
            _("用途“%(purpose)s”不是向他人提供，只能交由受托处理者处理，须依据“委托处理”协议，所选协议为“%(kind)s”。")
            % {"purpose": purpose.name, "kind": agreement.get_kind_display()}
        )
    if not agreement.purposes.filter(pk=purpose.pk).exists():
        raise ShareRefused(_("协议“%(number)s”未约定用途“%(purpose)s”。") % {"number": agreement.number, "purpose": purpose.name})
    cross_border_purpose = bool(getattr(purpose, "cross_border", False))
    if partner.overseas:
        if not agreement.cross_border_mechanism:
            raise ShareRefused(_("向境外提供须在协议中载明出境路径（安全评估、标准合同备案或认证）。"))
        if _provides_to_others(purpose) and not cross_border_purpose:
            raise ShareRefused(
                _("接收方位于境外：须使用取得了出境单独同意的用途，“%(purpose)s”不是向境外提供的用途。")
                % {"purpose": purpose.name}
            )
    elif cross_border_purpose:
        raise ShareRefused(_("用途“%(purpose)s”为向境外提供，但接收方位于境内。") % {"purpose": purpose.name})


def _check_fields(codes, agreement, purpose):
    codes = recipient_file.ordered(codes)
    if not codes:
        raise ShareRefused({"fields": _("请至少选择一个要提供的字段。")})
    allowed = set(agreement.categories) & set(purpose.categories)
    outside = [recipient_file.FIELDS[c][0] for c in codes if recipient_file.FIELDS[c][1] not in allowed]
    if outside:
        raise ShareRefused(
            {
                "fields": _("字段“%(fields)s”不在协议和用途约定的个人信息种类内，不能提供。")
                % {"fields": "、".join(str(f) for f in outside)}
            }
        )
    return codes


def share_check(*, user, partner, agreement, purpose, fields, contacts, today=None):
    """Every refusal in order, then the people partitioned. Raises `ShareRefused`.

    `contacts` is a Contact queryset (a filter or a selection); only those `user` may see count.
    Queries: a constant handful for the rules, two for the people, whatever their number.
    """
    from clients.models import Contact
    from privacy.consent.services import consent_filter
    from privacy.retention.restrictions import restricted_contacts_q

    if not user.has_perm("privacy.add_datashare"):
        raise PermissionDenied(_("您无权向第三方提供个人信息。"))
    today = today or timezone.localdate()
    _check_agreement(partner, agreement, purpose, today)
    if partner.overseas:
        trigger = Trigger.CROSS_BORDER
    else:
        trigger = Trigger.PROVIDE if _provides_to_others(purpose) else Trigger.ENTRUST
    try:
        assessment = assessment_covering(partner, purpose, trigger=trigger, today=today)
    except AssessmentMissing as exc:
        raise ShareRefused(exc.message) from None
    codes = _check_fields(fields, agreement, purpose)
    candidates = Contact.objects.visible_to(user).filter(pk__in=contacts.order_by().values("pk"))
    recipient = partner if _provides_to_others(purpose) else None
    eligible = list(
        consent_filter(candidates, purpose, recipient=recipient).order_by("pk").values_list("pk", flat=True)
    )
    counts = candidates.order_by().aggregate(
        total=Count("pk"), restricted=Count("pk", filter=Q(restricted_contacts_q()))
    )
    check = ShareCheck(
        partner=partner,
        agreement=agreement,
        purpose=purpose,
        assessment=assessment,
        fields=codes,
        eligible_ids=eligible,
        restricted=counts["restricted"],
        no_consent=max(counts["total"] - len(eligible) - counts["restricted"], 0),
    )
    if counts["total"] == 0:
        raise ShareRefused(_("没有选择任何人员。"))
    if not eligible:
        if check.restricted and not check.no_consent:
            raise ShareRefused(
                _("所选的 %(n)s 人均处于限制处理（或法律保全）状态，除存储外不得处理，不能提供。") % {"n": check.restricted}
            )
        if recipient is not None:
            raise ShareRefused(
                _("所选人员均未单独同意向“%(partner)s”提供（或处于限制处理状态），不能提供。") % {"partner": partner.name}
            )
        raise ShareRefused(
            _("所选人员均未同意“%(purpose)s”（或处于限制处理状态），不能提供。") % {"purpose": purpose.name}
        )
    return check


@transaction.atomic
def share_create(
    *, user, partner, agreement, purpose, fields, contacts, confirmed_exclusions=None, selection=None, request=None
):
    """Provide the chosen fields of the eligible people to `partner`. Returns the DataShare.

    When some people are excluded (no consent for this recipient, or restricted), the sharer must
    have confirmed exactly that many exclusions (`confirmed_exclusions`); otherwise — or when the
    list changed since the preview — `ShareRefused` asks for a new confirmation.
    """
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    agreement = Agreement.objects.select_for_update().select_related("partner").get(pk=agreement.pk)
    check = share_check(
        user=user, partner=partner, agreement=agreement, purpose=purpose, fields=fields, contacts=contacts
    )
    if check.excluded and confirmed_exclusions != check.excluded:
        raise ShareRefused(
            _("有 %(n)s 人（未单独同意 %(c)s 人，限制处理 %(r)s 人）将被排除：请核对后确认排除再提供。")
            % {"n": check.excluded, "c": check.no_consent, "r": check.restricted},
            code="confirm",
        )
    share = DataShare.objects.create(
        partner=partner,
        agreement=agreement,
        assessment=check.assessment,
        assessment_reference=check.assessment.reference,
        purpose=purpose,
        legal_basis=purpose.legal_basis,
        fields=check.fields,
        cross_border=partner.overseas,
        person_count=len(check.eligible_ids),
        excluded_no_consent=check.no_consent,
        excluded_restricted=check.restricted,
        selection=selection or {},
        created_by=user,
    )
    for start in range(0, len(check.eligible_ids), SUBJECT_BATCH):
        batch = check.eligible_ids[start : start + SUBJECT_BATCH]
        ShareSubject.objects.bulk_create([ShareSubject(share=share, contact_id=pk) for pk in batch])
    record_access_each(
        user,
        "share",
        check.eligible_ids,
        share,
        purpose=purpose.name,
        detail={
            "share": share.pk,
            "partner": partner.pk,
            "recipient": partner.name[:100],
            "fields": check.fields,
            "cross_border": partner.overseas,
        },
        request=request,
    )
    encrypted, size = recipient_file.build_encrypted(share, check.eligible_ids, check.fields)
    share.file = encrypted
    share.file_size = size
    share.save(update_fields=["file", "file_size"])
    return share


def get_share_for_user(user, pk):
    from django.http import Http404

    share = DataShare.objects.visible_to(user).select_related("partner", "agreement", "purpose", "assessment").filter(pk=pk).first()
    if share is None:
        raise Http404
    return share


def share_download(*, share, user):
    """The recipient file's plaintext, once, for the sharer only; the stored file is then deleted."""
    with transaction.atomic():
        share = DataShare.objects.select_for_update().get(pk=share.pk)
        if share.created_by_id != user.pk:
            raise PermissionDenied(_("接收方文件只能由提供人本人下载。"))
        if share.status != ShareStatus.READY or not share.file:
            raise ShareRefused(_("接收方文件已下载过或已过期删除，不能再次下载。"))
        data = files.open_decrypted(share, share.file, purpose=recipient_file.SHARE_FILE)
        name = share.file.name
        share.status = ShareStatus.DOWNLOADED
        share.downloaded_at = timezone.now()
        share.file = ""
        share.save(update_fields=["status", "downloaded_at", "file"])
        storage = DataShare._meta.get_field("file").storage
        transaction.on_commit(lambda: _delete_quietly(storage, name))
    return data


def _delete_quietly(storage, name):
    with suppress(OSError):
        storage.delete(name)


def shares_expire_files(*, older_than_days=7, now=None):
    """Recipient files not downloaded within `older_than_days` are deleted (the record stays)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=older_than_days)
    storage = DataShare._meta.get_field("file").storage
    count = 0
    for share in DataShare.objects.filter(status=ShareStatus.READY, created_at__lt=cutoff):
        name = share.file.name
        share.status = ShareStatus.EXPIRED
        share.file = ""
        share.save(update_fields=["status", "file"])
        if name:
            _delete_quietly(storage, name)
        count += 1
    return count
