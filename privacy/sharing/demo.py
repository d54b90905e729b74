"""Demo partners, an approved impact assessment and a signed agreement (a step of `seed_demo`).

Idempotent: nothing is created when the demo partner exists. Invented organisations only; the
signed "file" is a one-page placeholder PDF, stored encrypted like a real one.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

DEMO_PARK = "示例合作园区管理委员会"
PLACEHOLDER_PDF = b"%PDF-1.4\n% demo agreement placeholder\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def seed_sharing(password=None):
    from privacy.assessments import services as assessments
    from privacy.models import Partner, Purpose

    from . import services

    dpo = get_user_model().objects.filter(username="dpo").first()
    purpose = Purpose.objects.filter(code="partner_sharing").first()
    if dpo is None or purpose is None or Partner.objects.filter(name=DEMO_PARK).exists():
        return 0
    today = timezone.localdate()
    park = services.partner_create(
        user=dpo,
        name=DEMO_PARK,
        kind="park",
        country="中国",
        credit_code="11320500MB0000001A",
        contact_person="王主任",
        contact_phone="0512-66000000",
        contact_email="invest@park.example.cn",
        contact_channel="phone",
        security_measures="数据加密存储与传输；专人管理；已通过网络安全等级保护三级测评。",
    )
    services.partner_vet(partner=park, user=dpo, status="approved")
    services.partner_create(
        user=dpo,
        name="示例招商咨询有限公司",
        kind="agency",
        country="中国",
        credit_code="91320500MB00000025",
        contact_person="李经理",
        contact_email="service@agency.example.cn",
        contact_channel="email",
    )  # registered, vetting pending: not a recipient yet
    assessment = assessments.assessment_create(
        user=dpo,
        purposes=[purpose],
        title="向示例合作园区提供项目联系人信息",
        subject_kind="partner",
        partner=park,
        triggers=["provide"],
        description="经联系人单独同意，向合作园区提供其姓名、职务、联系方式和项目名称，用于协助项目选址落地。",
        legality="取得个人单独同意（《个人信息保护法》第十三条第一款第一项、第二十三条）；签订个人信息提供协议。",
        necessity="仅提供协助选址所必需的字段，不提供身份证件号码和跟进记录。",
        residual_risk="low",
        residual_note="协议约束、加密传输、定期评估后，剩余风险低。",
    )
    risk = assessments.risk_add(assessment=assessment, user=dpo, title="接收方超出约定用途使用", likelihood=2, impact=4)
    assessments.mitigation_add(
        risk=risk,
        user=dpo,
        action="协议约定用途、期限和删除义务，每年开展合作方评估",
        owner=dpo,
        due_date=today + datetime.timedelta(days=30),
    )
    assessments.risk_add(assessment=assessment, user=dpo, title="传输过程中泄露", likelihood=1, impact=4)
    assessments.assessment_approve(assessment=assessment, user=dpo, note="同意。")
    agreement = services.agreement_create(
        user=dpo,
        partner=park,
        purposes=[purpose],
        kind="providing",
        number="HZ-2026-001",
        title="项目联系人信息提供协议",
        categories=["identity", "contact", "project"],
        processing_method="加密传输，接收方仅用于协助项目选址落地",
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=335),
        **dict.fromkeys(_terms(), True),
    )
    services.agreement_sign(
        agreement=agreement,
        user=dpo,
        upload=SimpleUploadedFile("signed.pdf", PLACEHOLDER_PDF, content_type="application/pdf"),
        content_type="application/pdf",
    )
    return 5


def _terms():
    from .models import TERMS

    return list(TERMS)
