"""Builders for partner-sharing tests: a vetted partner, an approved assessment, a signed agreement,
and people with (or without) a separate consent naming the recipient. Through the services."""

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clients.validators import make_credit_code
from privacy.assessments import services as assessments
from privacy.consent import services as consent
from privacy.models import Channel, Purpose
from privacy.sharing import services as sharing

_seq = itertools.count(700)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def signed_pdf():
    return SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")


def partner(dpo, *, overseas=False, vet=True, **fields):
    n = next(_seq)
    data = {
        "name": f"苏州合作园区{n}管理委员会" if not overseas else f"Overseas Holding {n} GmbH",
        "kind": "park" if not overseas else "overseas_hq",
        "country": "中国" if not overseas else "德国",
        "overseas": overseas,
        "credit_code": "" if overseas else make_credit_code(f"11320500MB{n:07d}"),
        "foreign_registration": f"HRB {n}" if overseas else "",
        "contact_person": "王经理",
        "contact_phone": "0512-66881234",
        "contact_email": f"partner{n}@example.cn",
        "contact_channel": "phone",
        "security_measures": "加密传输，专人管理，等保三级。",
    }
    data.update(fields)
    created = sharing.partner_create(user=dpo, **data)
    if vet:
        created = sharing.partner_vet(partner=created, user=dpo, status="approved")
    return created


def assessment(dpo, partner, purposes, *, triggers=("provide",), approve=True, **fields):
    data = {
        "title": f"向{partner.name}提供联系人信息",
        "subject_kind": "partner",
        "partner": partner,
        "triggers": list(triggers),
        "description": "向合作园区提供项目联系人姓名、联系方式。",
        "legality": "取得个人单独同意（《个人信息保护法》第二十三条）。",
        "necessity": "仅提供协助项目所必需的字段。",
        "residual_risk": "low",
    }
    data.update(fields)
    created = assessments.assessment_create(user=dpo, purposes=purposes, **data)
    risk = assessments.risk_add(assessment=created, user=dpo, title="接收方超范围使用", likelihood=3, impact=4)
    assessments.mitigation_add(
        risk=risk, user=dpo, action="协议约定用途并定期评估", owner=dpo, due_date=timezone.localdate()
    )
    if approve:
        created = assessments.assessment_approve(assessment=created, user=dpo)
    return created


def agreement(dpo, partner, purposes, *, kind="providing", sign=True, **fields):
    today = timezone.localdate()
    data = {
        "kind": kind,
        "number": f"XY-{next(_seq)}",
        "title": "个人信息提供协议",
        "categories": ["identity", "contact", "project"],
        "processing_method": "加密传输，接收方仅用于协助项目",
        "valid_from": today - datetime.timedelta(days=10),
        "valid_until": today + datetime.timedelta(days=365),
        **dict.fromkeys(sharing_terms(), True),
        "cross_border_mechanism": "standard_contract" if partner.overseas else "",
    }
    data.update(fields)
    created = sharing.agreement_create(user=dpo, partner=partner, purposes=purposes, **data)
    if sign:
        created = sharing.agreement_sign(
            agreement=created, user=dpo, upload=signed_pdf(), content_type="application/pdf"
        )
    return created


def sharing_terms():
    from privacy.sharing.models import TERMS

    return list(TERMS)


def ready(dpo, *, purpose="partner_sharing", overseas=False):
    """(partner, agreement, assessment, purpose) all in order for a share."""
    purpose = Purpose.objects.get(code=purpose)
    p = partner(dpo, overseas=overseas)
    triggers = ("cross_border", "provide") if overseas else ("provide",)
    a = assessment(dpo, p, [purpose], triggers=triggers)
    g = agreement(dpo, p, [purpose])
    return p, g, a, purpose


def grant_for(contact, purpose, recipient):
    """The person's separate consent to provision to `recipient` (as the self-service step records it)."""
    purpose = Purpose.objects.get(code=purpose) if isinstance(purpose, str) else purpose
    return consent.consent_grant(
        contact=contact,
        purpose=purpose,
        channel=Channel.SELFSERVICE,
        separate=consent.separate_details(purpose, recipient=recipient),
        recipient=recipient,
    )
