"""Generating the record of processing activities (个人信息处理活动记录, GB/T 35273-2020 11.3)
from the records the other concerns keep: purposes (legal basis, data categories, method, recipient),
partners and their agreements (privacy.sharing), retention rules, the security measures in force
and cross-border transfers. Nothing here is typed by hand: the record is always the system's state.

`ropa_export` writes the xlsx (cells neutralised against formulas, sheet names translated) and keeps
a dated `RopaSnapshot` of exactly what was exported.
"""

import io

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook

from clients.resources import neutralise

from .models import RopaSnapshot

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = ("activities", "recipients", "retention", "security", "cross_border")


def _yes(value):
    return _("是") if value else _("否")


def _sheet_titles():
    return {
        "activities": _("处理活动"),
        "recipients": _("接收方与协议"),
        "retention": _("保存期限"),
        "security": _("安全措施"),
        "cross_border": _("个人信息出境"),
    }


def _security_measures():
    suite = _("SM4-GCM + HMAC-SM3（国密）") if settings.CIPHER_SUITE == "sm4" else _("AES-256-GCM + HMAC-SHA256")
    return [
        [
            _("字段级加密"),
            _("姓名、联系方式、身份证件号码、跟进记录等个人信息字段加密存储：%(suite)s，每个个人一把数据密钥")
            % {"suite": suite},
        ],
        [_("加密删除"), _("删除个人时销毁其数据密钥，备份中的密文随之不可读")],
        [_("访问控制"), _("按角色和数据范围授权，范围外访问一律返回 404 并记录")],
        [_("去标识化展示"), _("页面默认掩码显示，查看明文须说明用途并记入访问日志")],
        [_("审计"), _("数据变更和个人信息读取均记入审计日志，日志以哈希链封存，保存不少于六个月")],
        [_("登录安全"), _("特权账户须双因素认证，登录限速并在多次失败后锁定")],
        [_("保存期限"), _("按保存期限规则每日自动删除或匿名化到期数据，法律保全除外")],
    ]


def ropa_build(today=None):
    """{sheet code: {"title", "header", "rows"}}: the record as of now, in the current language."""
    from privacy.consent.models import LegalBasis, Purpose
    from privacy.retention.models import RetentionRule
    from privacy.sharing.models import Agreement

    today = today or timezone.localdate()
    legal = dict(LegalBasis.choices)
    agreements = list(
        Agreement.objects.select_related(None)
        .select_related("partner")
        .prefetch_related("purposes")
        .order_by("partner__name", "number")
    )
    by_purpose = {}
    for agreement in agreements:
        for purpose in agreement.purposes.all():
            by_purpose.setdefault(purpose.pk, []).append(agreement)
    titles = _sheet_titles()
    activities = []
    for purpose in Purpose.objects.filter(is_active=True):
        linked = [a for a in by_purpose.get(purpose.pk, []) if a.is_in_force(today)]
        recipients = [purpose.display_recipient] if purpose.display_recipient else []
        recipients += [a.partner.name for a in linked if a.partner.name not in recipients]
        activities.append(
            [
                purpose.display_name,
                str(legal.get(purpose.legal_basis, purpose.legal_basis)),
                _("；").join(str(label) for label in purpose.category_labels()),
                purpose.display_method,
                _("；").join(recipients) or _("无"),
                _("；").join(a.number for a in linked) or _("无"),
                purpose.retention_note or _("见“保存期限”"),
                _yes(purpose.cross_border),
                _yes(purpose.requires_separate_consent),
            ]
        )
    recipients = [
        [
            a.partner.name,
            a.partner.get_kind_display(),
            a.partner.country,
            a.number,
            a.get_kind_display(),
            _("；").join(p.display_name for p in a.purposes.all()),
            f"{a.valid_from:%Y-%m-%d} – {a.valid_until:%Y-%m-%d}",
            str(a.status_label(today)),
            a.get_cross_border_mechanism_display() if a.partner.overseas else _("不涉及出境"),
        ]
        for a in agreements
    ]
    retention = [
        [
            rule.name_en if (get_language() or "").startswith("en") and rule.name_en else rule.name,
            rule.get_category_display(),
            rule.get_clock_event_display(),
            rule.effective_days,
            rule.get_action_display(),
            rule.legal_basis,
        ]
        for rule in RetentionRule.objects.filter(active=True).order_by("order", "code")
    ]
    cross_border = [
        [
            a.partner.name,
            a.partner.country,
            a.number,
            a.get_cross_border_mechanism_display() or _("未选择"),
            a.cross_border_reference or "—",
            str(a.status_label(today)),
        ]
        for a in agreements
        if a.partner.overseas
    ]
    return {
        "activities": {
            "title": titles["activities"],
            "header": [
                _("处理用途"),
                _("处理依据"),
                _("个人信息种类"),
                _("处理方式"),
                _("接收方"),
                _("相关协议"),
                _("保存期限"),
                _("向境外提供"),
                _("需要单独同意"),
            ],
            "rows": activities,
        },
        "recipients": {
            "title": titles["recipients"],
            "header": [
                _("接收方"),
                _("类型"),
                _("国家或地区"),
                _("协议编号"),
                _("协议类型"),
                _("约定的处理用途"),
                _("有效期"),
                _("状态"),
                _("出境路径"),
            ],
            "rows": recipients,
        },
        "retention": {
            "title": titles["retention"],
            "header": [
                _("规则名称"),
                _("数据类别"),
                _("起算事件"),
                _("保存期限（天）"),
                _("到期处理方式"),
                _("法律依据与说明"),
            ],
            "rows": retention,
        },
        "security": {"title": titles["security"], "header": [_("措施"), _("说明")], "rows": _security_measures()},
        "cross_border": {
            "title": titles["cross_border"],
            "header": [_("接收方"), _("国家或地区"), _("协议编号"), _("出境路径"), _("出境备案或评估编号"), _("状态")],
            "rows": cross_border,
        },
    }


def _plain(record):
    """JSON-ready copy (lazy strings rendered)."""
    return {
        code: {
            "title": str(sheet["title"]),
            "header": [str(h) for h in sheet["header"]],
            "rows": [[c if isinstance(c, int) else str(c) for c in r] for r in sheet["rows"]],
        }
        for code, sheet in record.items()
    }


def workbook_bytes(record):
    """The record as xlsx bytes: one sheet per part, translated names, every cell neutralised."""
    book = Workbook(write_only=True)
    for code in SHEETS:
        sheet = record[code]
        ws = book.create_sheet(title=str(sheet["title"])[:31])
        ws.append([neutralise(str(h)) for h in sheet["header"]])
        for cells in sheet["rows"]:
            ws.append([c if isinstance(c, int) else neutralise(str(c)) for c in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@transaction.atomic
def ropa_export(*, user, today=None):
    """Build the record, keep its dated snapshot, return (snapshot, xlsx bytes)."""
    record = _plain(ropa_build(today))
    snapshot = RopaSnapshot.objects.create(taken_by=user, content=record)
    return snapshot, workbook_bytes(record)
