"""Shares of personal data with a partner: the checks, the record, the recipient's file, its download.

`share_check` runs every refusal in order and partitions the people set-based — a constant number
of queries whatever their number: the consent service's one check (`consent_filter`, which applies
the separate consent naming this recipient and every restriction) gives the eligible; one more
query counts the restricted. `share_create` repeats the check inside its transaction, refuses
exclusions the sharer did not confirm, and writes the share record, its people, one ``share``
access event per person and the recipient's encrypted xlsx — all or nothing. `share_download`
hands the file to the sharer once, then deletes it.
"""

import datetime
from contextlib import suppress
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.access import record_access_each
from privacy import files
from privacy.assessments.models import Trigger
from privacy.assessments.services import AssessmentMissing, assessment_covering
from zhaoshang.core.localized import join_list

from . import recipient_file
from .models import Agreement, AgreementKind, DataShare, Partner, ShareStatus, ShareSubject
from .services import ShareRefused

SUBJECT_BATCH = 5000


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
    return bool(purpose.provides_to_others)


def _check_agreement(partner, agreement, purpose, today):
    if agreement.partner_id != partner.pk:
        raise ShareRefused(_("所选协议不属于该合作方。"))
    if not partner.is_usable:
        raise ShareRefused(
            _("合作方“%(partner)s”目前为“%(status)s”，不能向其提供个人信息。")
            % {
                "partner": partner.name,
                "status": partner.get_vetting_status_display() if partner.is_active else _("已停止合作"),
            }
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
        raise ShareRefused(
            _("协议“%(number)s”未约定用途“%(purpose)s”。") % {"number": agreement.number, "purpose": purpose.name}
        )
    cross_border_purpose = bool(purpose.cross_border)
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
                % {"fields": join_list(outside)}
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
    from privacy.retention.restrictions import restricted_contacts_set_q

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
    restricted = restricted_contacts_set_q()
    counts = candidates.order_by().aggregate(total=Count("pk"), restricted=Count("pk", filter=restricted))
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
                _("所选的 %(n)s 人均处于限制处理（或法律保全）状态，除存储外不得处理，不能提供。")
                % {"n": check.restricted}
            )
        if recipient is not None:
            raise ShareRefused(
                _("所选人员均未单独同意向“%(partner)s”提供（或处于限制处理状态），不能提供。")
                % {"partner": partner.name}
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
    partner = Partner.objects.select_for_update(of=("self",)).get(pk=partner.pk)
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("partner").get(pk=agreement.pk)
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
    share = (
        DataShare.objects.visible_to(user)
        .select_related("partner", "agreement", "purpose", "assessment")
        .filter(pk=pk)
        .first()
    )
    if share is None:
        raise Http404
    return share


def share_download(*, share, user):
    """The recipient file's plaintext, once, for the sharer only; the stored file is then deleted."""
    with transaction.atomic():
        share = DataShare.objects.select_for_update(of=("self",)).get(pk=share.pk)
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
