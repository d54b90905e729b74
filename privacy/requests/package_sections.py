"""What a copy package holds: one section per kind of record about ONE person, read in chunks.

Each section is (key, title, columns, rows): `columns` are (field key, Chinese label) pairs and
`rows(contact)` yields plain dicts (strings, numbers, booleans, None) -- the same dict goes into
data.json, the section's CSV and index.html. Every query is filtered by the contact's id (or by
its enterprise, for the enterprise's projects and their follow-ups) and iterated with
``iterator(chunk_size=CHUNK)``, so memory stays flat whatever the history. The schema of the
result is docs/subject-package.md and `package_schema.json`.
"""

from django.utils import timezone

CHUNK = 500


def _label(choices, value):
    return str(dict(choices).get(value, value or ""))


def _when(value):
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def contact_rows(contact):
    from clients.models import Contact

    field = Contact._meta.get_field
    yield {
        "id": contact.pk,
        "name": str(contact.name or ""),
        "mobile": str(contact.mobile or ""),
        "email": str(contact.email or ""),
        "wechat": str(contact.wechat or ""),
        "id_number": str(contact.id_number or ""),
        "position": contact.position,
        "source": _label(field("source").choices, contact.source),
        "purpose": _label(field("purpose").choices, contact.purpose),
        "verified": contact.verified,
        "created_at": _when(contact.created_at),
        "updated_at": _when(contact.updated_at),
    }


def role_rows(contact):
    enterprise = contact.enterprise
    yield {
        "enterprise_id": enterprise.pk,
        "enterprise": enterprise.name,
        "credit_code": enterprise.credit_code,
        "region": enterprise.region,
        "position": contact.position,
    }


def project_rows(contact):
    from clients.models import Project

    stages = Project._meta.get_field("stage").choices
    projects = Project.objects.filter(enterprise_id=contact.enterprise_id).order_by("pk")
    for project in projects.iterator(chunk_size=CHUNK):
        yield {
            "id": project.pk,
            "title": project.title,
            "stage": _label(stages, project.stage),
            "planned_investment": None if project.planned_investment is None else str(project.planned_investment),
            "currency": project.currency,
            "signed_at": _when(project.signed_at),
        }


def followup_rows(contact):
    from clients.models import FollowUp

    methods = FollowUp._meta.get_field("method").choices
    rows = FollowUp.objects.filter(project__enterprise_id=contact.enterprise_id).order_by("pk")
    for item in rows.select_related("subject_key").iterator(chunk_size=CHUNK):
        yield {
            "id": item.pk,
            "project_id": item.project_id,
            "date": _when(item.date),
            "method": _label(methods, item.method),
            "summary": str(item.summary or ""),
            "participants": str(item.participants or ""),
            "next_contact_date": _when(item.next_contact_date),
        }


def consent_rows(contact):
    from privacy.consent.models import ConsentState

    states = ConsentState.objects.filter(contact_id=contact.pk).select_related("purpose", "recipient", "policy")
    for state in states.order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "purpose": state.purpose.name,
            "recipient": state.recipient.name if state.recipient_id else "",
            "granted": state.granted,
            "separate": state.separate,
            "policy_version": state.policy.version if state.policy_id else "",
            "changed_at": _when(state.changed_at),
            "needs_renewal": state.needs_renewal,
            "renewal_due_at": _when(state.renewal_due_at),
        }


def ledger_rows(contact):
    from privacy.consent.models import ConsentAction, ConsentEvent

    channels = ConsentEvent._meta.get_field("channel").choices
    events = ConsentEvent.objects.filter(contact_id=contact.pk).select_related("purpose", "recipient", "policy")
    for event in events.order_by("at", "pk").iterator(chunk_size=CHUNK):
        yield {
            "id": event.pk,
            "at": _when(event.at),
            "purpose": event.purpose.name,
            "recipient": event.recipient.name if event.recipient_id else "",
            "action": _label(ConsentAction.choices, event.action),
            "channel": _label(channels, event.channel),
            "policy_version": event.policy.version if event.policy_id else "",
            "evidence": bool(event.evidence),
        }


def separate_rows(contact):
    from privacy.consent.models import SeparateConsent

    rows = SeparateConsent.objects.filter(event__contact_id=contact.pk).select_related("event")
    for item in rows.order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "event_id": item.event_id,
            "at": _when(item.event.at),
            "recipient": item.recipient,
            "purpose": item.purpose_text,
            "method": item.method,
            "categories": "、".join(str(c) for c in item.categories or []),
        }


def use_rows(contact):
    """The record of uses: every access event naming the person, not redacted (read by the
    (contact_id, action, at) index of AccessSubject, then the events by id)."""
    from audit.models import AccessEvent, AccessSubject

    actions = AccessEvent.Action.choices
    subjects = (
        AccessSubject.objects.filter(contact_id=contact.pk).order_by("event_id").values_list("event_id", flat=True)
    )
    batch = []
    for event_id in subjects.iterator(chunk_size=2000):
        batch.append(event_id)
        if len(batch) >= 2000:
            yield from _use_batch(AccessEvent, batch, actions)
            batch = []
    if batch:
        yield from _use_batch(AccessEvent, batch, actions)


def _use_batch(AccessEvent, ids, actions):
    from zhaoshang.core.db import any_of

    rows = (
        AccessEvent.objects.filter(any_of("id", ids), redacted=False)
        .order_by("id")
        .values_list("id", "at", "action", "purpose", "row_count")
    )
    for pk, at, action, purpose, row_count in rows:
        yield {"id": pk, "at": _when(at), "action": _label(actions, action), "purpose": purpose, "row_count": row_count}


def share_rows(contact):
    from privacy.sharing.models import DataShare

    shares = (
        DataShare.objects.filter(subjects__contact_id=contact.pk).select_related("partner", "purpose").order_by("pk")
    )
    for share in shares.iterator(chunk_size=CHUNK):
        yield {
            "reference": share.reference,
            "at": _when(share.created_at),
            "recipient": share.partner.name,
            "country": share.partner.country,
            "purpose": share.purpose.name,
            "legal_basis": share.legal_basis,
            "fields": "、".join(str(f) for f in share.fields or []),
            "cross_border": share.cross_border,
        }


def complaint_rows(contact):
    from complaints.models import Complaint

    statuses = Complaint._meta.get_field("status").choices
    channels = Complaint._meta.get_field("channel").choices
    rows = Complaint.objects.filter(contact_id=contact.pk).select_related("category", "subject_key").order_by("pk")
    for item in rows.iterator(chunk_size=CHUNK):
        yield {
            "reference": item.reference,
            "received_at": _when(item.received_at),
            "channel": _label(channels, item.channel),
            "category": item.category.name,
            "status": _label(statuses, item.status),
            "description": str(item.description or ""),
            "replied_at": _when(item.replied_at),
            "closed_at": _when(item.closed_at),
        }


def request_rows(contact):
    from privacy.requests.models import SubjectRequest

    field = SubjectRequest._meta.get_field
    rows = SubjectRequest.objects.filter(contact_id=contact.pk).select_related("subject_key").order_by("pk")
    for item in rows.iterator(chunk_size=CHUNK):
        yield {
            "id": item.pk,
            "kind": _label(field("kind").choices, item.kind),
            "status": _label(field("status").choices, item.status),
            "channel": _label(field("channel").choices, item.channel),
            "received_at": _when(item.received_at),
            "due_date": _when(item.due_date),
            "details": str(item.details or ""),
        }


# (key, title, [(field, label)], rows) -- the order of data.json, the CSV files and index.html.
SECTIONS = [
    (
        "contact",
        "个人基本信息",
        [
            ("id", "编号"),
            ("name", "姓名"),
            ("mobile", "手机号"),
            ("email", "电子邮箱"),
            ("wechat", "微信号"),
            ("id_number", "身份证号"),
            ("position", "职务"),
            ("source", "信息来源"),
            ("purpose", "收集目的"),
            ("verified", "已核实"),
            ("created_at", "创建时间"),
            ("updated_at", "更新时间"),
        ],
        contact_rows,
    ),
    (
        "enterprise_roles",
        "企业任职",
        [
            ("enterprise_id", "企业编号"),
            ("enterprise", "企业名称"),
            ("credit_code", "统一社会信用代码"),
            ("region", "所在地区"),
            ("position", "职务"),
        ],
        role_rows,
    ),
    (
        "projects",
        "相关项目",
        [
            ("id", "项目编号"),
            ("title", "项目名称"),
            ("stage", "阶段"),
            ("planned_investment", "计划投资额"),
            ("currency", "币种"),
            ("signed_at", "签约日期"),
        ],
        project_rows,
    ),
    (
        "followups",
        "跟进记录",
        [
            ("id", "编号"),
            ("project_id", "项目编号"),
            ("date", "跟进日期"),
            ("method", "跟进方式"),
            ("summary", "跟进内容"),
            ("participants", "参与人员"),
            ("next_contact_date", "下次联系日期"),
        ],
        followup_rows,
    ),
    (
        "consents",
        "同意状态",
        [
            ("purpose", "用途"),
            ("recipient", "接收方"),
            ("granted", "已同意"),
            ("separate", "已单独同意"),
            ("policy_version", "政策版本"),
            ("changed_at", "变更时间"),
            ("needs_renewal", "需重新同意"),
            ("renewal_due_at", "重新同意截止"),
        ],
        consent_rows,
    ),
    (
        "consent_ledger",
        "同意记录（台账）",
        [
            ("id", "编号"),
            ("at", "时间"),
            ("purpose", "用途"),
            ("recipient", "接收方"),
            ("action", "动作"),
            ("channel", "渠道"),
            ("policy_version", "政策版本"),
            ("evidence", "有凭证文件"),
        ],
        ledger_rows,
    ),
    (
        "separate_consents",
        "单独同意",
        [
            ("event_id", "同意记录编号"),
            ("at", "时间"),
            ("recipient", "接收方"),
            ("purpose", "处理目的"),
            ("method", "处理方式"),
            ("categories", "个人信息种类"),
        ],
        separate_rows,
    ),
    (
        "uses",
        "使用记录",
        [("id", "编号"), ("at", "时间"), ("action", "动作"), ("purpose", "目的"), ("row_count", "涉及条数")],
        use_rows,
    ),
    (
        "shares",
        "向第三方提供记录",
        [
            ("reference", "提供编号"),
            ("at", "提供时间"),
            ("recipient", "接收方"),
            ("country", "国家或地区"),
            ("purpose", "用途"),
            ("legal_basis", "处理依据"),
            ("fields", "提供的字段"),
            ("cross_border", "向境外提供"),
        ],
        share_rows,
    ),
    (
        "complaints",
        "投诉记录",
        [
            ("reference", "编号"),
            ("received_at", "受理时间"),
            ("channel", "来源渠道"),
            ("category", "分类"),
            ("status", "状态"),
            ("description", "诉求内容"),
            ("replied_at", "答复时间"),
            ("closed_at", "办结时间"),
        ],
        complaint_rows,
    ),
    (
        "requests",
        "个人信息权利请求",
        [
            ("id", "编号"),
            ("kind", "请求类型"),
            ("status", "状态"),
            ("channel", "提出渠道"),
            ("received_at", "收到时间"),
            ("due_date", "答复期限"),
            ("details", "说明"),
        ],
        request_rows,
    ),
]
