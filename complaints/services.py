"""Every change to a complaint goes through here: intake, the workflow state machine, ratings,
extensions, reveals and the deadline job. Views, admin actions, tasks and commands call these.

The state machine is the table `TRANSITIONS`: action -> (statuses it may start from, status it
leads to). A step outside the table is refused with a Chinese message (`WorkflowError`). Each step
writes a timeline entry in the same transaction.
"""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.access import record_access
from privacy import files
from zhaoshang.core.calendar import add_working_days, working_days_between
from zhaoshang.core.notifications import notify

from .access import can_act, can_reveal_identity, is_office
from .models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    DailyCounter,
    ExtensionRequest,
    Reminder,
    Status,
)

S = Status
A = ComplaintEvent.Action

# action: (allowed source statuses, target status or None for "unchanged")
TRANSITIONS = {
    A.ASSIGN: ({S.RECEIVED, S.ASSIGNED, S.RETURNED, S.REDO}, S.ASSIGNED),
    A.START: ({S.ASSIGNED, S.REDO}, S.IN_PROGRESS),
    A.RETURN: ({S.ASSIGNED, S.IN_PROGRESS, S.REDO}, S.RETURNED),
    A.REPLY: ({S.IN_PROGRESS}, S.REPLIED),
    A.FOLLOW_UP: ({S.REPLIED}, S.FOLLOWED_UP),
    A.CLOSE: ({S.REPLIED, S.FOLLOWED_UP}, S.CLOSED),
    A.REDO: ({S.REPLIED, S.FOLLOWED_UP}, S.REDO),
    A.REOPEN: ({S.CLOSED}, S.REDO),
    A.EXTENSION_REQUEST: ({S.ASSIGNED, S.IN_PROGRESS, S.REDO}, None),
    A.RATE: ({S.REPLIED, S.FOLLOWED_UP, S.CLOSED}, None),
}

UNSATISFIED_MAX = 2  # a rating of 1 or 2 is 不满意 and sends the complaint back as 重办


class WorkflowError(ValidationError):
    """A step the workflow does not allow from the complaint's current state."""


def _check(complaint, action):
    sources, _target = TRANSITIONS[action]
    if complaint.status not in sources:
        raise WorkflowError(
            _("当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": complaint.get_status_display(), "action": A(action).label}
        )


def _lock(complaint):
    """Re-read the row under a lock so that two clicks cannot both move it."""
    return Complaint.objects.select_for_update(of=("self",)).select_related("kind").get(pk=complaint.pk)


def _log(complaint, action, *, actor=None, from_status="", message="", public=False):
    return ComplaintEvent.objects.create(
        complaint=complaint,
        subject_key_id=complaint.subject_key_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=complaint.status,
        message=message,
        public=public,
    )


def _move(complaint, action, *, actor, message="", public=False, fields=()):
    """Apply the transition `action` to a locked complaint and log it."""
    _check(complaint, action)
    previous = complaint.status
    target = TRANSITIONS[action][1]
    if target is not None:
        complaint.status = target
    complaint.save(update_fields=["status", "updated_at", *fields])
    return _log(complaint, action, actor=actor, from_status=previous, message=message, public=public)


def _require(condition, message=None):
    if not condition:
        raise PermissionDenied(message or _("您无权执行此操作。"))


# --- Intake -----------------------------------------------------------------------------------


def _next_reference(day):
    """TS-YYYYMMDD-NNNN from a per-day counter row, locked so concurrent intakes never collide."""
    DailyCounter.objects.bulk_create([DailyCounter(day=day, last=0)], ignore_conflicts=True)
    counter = DailyCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"TS-{day:%Y%m%d}-{counter.last:04d}"


@transaction.atomic
def complaint_submit(
    *,
    kind,
    category,
    description,
    channel,
    name="",
    phone="",
    email="",
    contact=None,
    enterprise=None,
    project=None,
    subject_department=None,
    attachments=(),
    created_by=None,
    received_at=None,
):
    """Register a complaint from any channel; returns `(complaint, tracking_secret)`.

    `contact` links it to a client contact (the self-service page passes it, and its name, mobile and
    e-mail become the complainant's identity unless one is given); `attachments` are
    already-validated `(content_type, django File)` pairs (see forms.validate_attachment).
    A complaint entered by staff is acknowledged at once; a public one when it is first assigned.
    The tracking secret is returned once and stored only as a digest.
    """
    received_at = received_at or timezone.now()
    day = timezone.localtime(received_at).date()
    if contact is not None and not isinstance(contact, int) and not (name or phone or email):
        # Filed from the person's own page: they are the complainant, not anonymous. The identity is
        # copied under the complaint's key and, as for every complaint, shown only to the office.
        name, phone, email = contact.name, contact.mobile, contact.email
    secret = secrets.token_urlsafe(24)
    complaint = Complaint(
        reference=_next_reference(day),
        tracking_secret_hash=Complaint.hash_secret(secret),
        kind=kind,
        category=category,
        channel=channel,
        complainant_name=(name or "").strip(),
        complainant_phone=(phone or "").strip(),
        complainant_email=(email or "").strip(),
        description=description,
        contact_id=getattr(contact, "pk", contact),
        enterprise=enterprise,
        project=project,
        subject_department=subject_department,
        created_by=created_by,
        received_at=received_at,
        ack_due=add_working_days(day, kind.ack_working_days),
        resolution_due=add_working_days(day, kind.resolution_working_days),
        acknowledged_at=received_at if created_by is not None else None,
    )
    complaint.save()
    for content_type, upload in attachments:
        _attach(complaint, content_type, upload)
    _log(complaint, A.SUBMIT, actor=created_by, public=True, message="")
    return complaint, secret


def _attach(complaint, content_type, upload):
    """Store an upload whose type was checked on its plaintext, encrypted under the complaint's key."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    ComplaintAttachment.objects.create(
        complaint=complaint,
        file=files.encrypted_upload(complaint, upload, purpose=files.COMPLAINT_ATTACHMENT),
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )


# --- Workflow -----------------------------------------------------------------------------------


@transaction.atomic
def complaint_assign(*, complaint, actor, department, handler, note=""):
    """分派 (or reassign after 退单) to a department and a handler of that department."""
    _require(is_office(actor), _("只有投诉处理专员可以分派。"))
    profile = getattr(handler, "profile", None)
    if profile is None or profile.department_id != department.pk:
        raise ValidationError(_("承办人不属于所选承办部门。"))
    complaint = _lock(complaint)
    complaint.department = department
    complaint.handler = handler
    fields = ["department", "handler"]
    if complaint.acknowledged_at is None:
        complaint.acknowledged_at = timezone.now()
        fields.append("acknowledged_at")
    _move(complaint, A.ASSIGN, actor=actor, message=note, fields=fields)
    if handler.pk != actor.pk:
        notify(
            [handler],
            "complaint_assigned",
            complaint,
            {"reference": complaint.reference, "deadline": complaint.resolution_due},
        )
    return complaint


@transaction.atomic
def complaint_start(*, complaint, actor):
    complaint = _lock(complaint)
    _require(complaint.handler_id == actor.pk or is_office(actor), _("只有承办人可以开始办理。"))
    _move(complaint, A.START, actor=actor, public=True)
    return complaint


@transaction.atomic
def complaint_return(*, complaint, actor, reason):
    """退单: the handler disputes the assignment; the complaint office must reassign it."""
    complaint = _lock(complaint)
    _require(can_act(actor, complaint), _("只有承办人或承办部门负责人可以退单。"))
    if not (reason or "").strip():
        raise ValidationError(_("请填写退单理由。"))
    complaint.handler = None
    _move(complaint, A.RETURN, actor=actor, message=reason, fields=["handler"])
    return complaint


@transaction.atomic
def complaint_note(*, complaint, actor, text):
    """An internal note: on the timeline for staff, never on the tracking link."""
    complaint = _lock(complaint)
    _require(can_act(actor, complaint))
    if not (text or "").strip():
        raise ValidationError(_("备注内容不能为空。"))
    return _log(complaint, A.NOTE, actor=actor, message=text, from_status=complaint.status)


@transaction.atomic
def complaint_reply(*, complaint, actor, text):
    """答复 the complainant: shown on the tracking link."""
    complaint = _lock(complaint)
    _require(complaint.handler_id == actor.pk or is_office(actor), _("只有承办人可以答复。"))
    if not (text or "").strip():
        raise ValidationError(_("答复内容不能为空。"))
    complaint.replied_at = timezone.now()
    _move(complaint, A.REPLY, actor=actor, message=text, public=True, fields=["replied_at"])
    return complaint


@transaction.atomic
def complaint_follow_up(*, complaint, actor, rating, comment=""):
    """回访 by the complaint office after a call: records the complainant's rating."""
    _require(is_office(actor), _("只有投诉处理专员可以登记回访。"))
    complaint = _lock(complaint)
    _check(complaint, A.FOLLOW_UP)
    return _rate(complaint, rating=rating, comment=comment, actor=actor)


@transaction.atomic
def complaint_rate(*, complaint, rating, comment=""):
    """The complainant rates the outcome through the tracking link."""
    return _rate(_lock(complaint), rating=rating, comment=comment, actor=None)


def _rate(complaint, *, rating, comment, actor):
    _check(complaint, A.RATE)
    if complaint.rated_at and complaint.replied_at and complaint.rated_at >= complaint.replied_at:
        raise WorkflowError(_("本次答复已评价，感谢您的反馈。"))
    rating = int(rating)
    if not 1 <= rating <= 5:
        raise ValidationError(_("评分须为1至5。"))
    complaint.satisfaction = rating
    complaint.satisfaction_comment = comment or ""
    complaint.rated_at = timezone.now()
    previous = complaint.status
    complaint.save(update_fields=["satisfaction", "satisfaction_comment", "rated_at", "updated_at"])
    _log(
        complaint,
        A.RATE,
        actor=actor,
        from_status=previous,
        message=_("评分：%(n)s") % {"n": rating},
        public=True,
    )
    if rating <= UNSATISFIED_MAX:
        _redo(complaint, actor=actor, reason=_("投诉人不满意，转为重办。"))
    elif complaint.status == S.REPLIED:
        _move(complaint, A.FOLLOW_UP, actor=actor, public=True)
    return complaint


def _redo(complaint, *, actor, reason):
    action = A.REOPEN if complaint.status == S.CLOSED else A.REDO
    complaint.redo_count += 1
    complaint.resolution_due = add_working_days(timezone.localdate(), complaint.kind.resolution_working_days)
    complaint.closed_at = None
    _move(
        complaint,
        action,
        actor=actor,
        message=reason,
        public=True,
        fields=["redo_count", "resolution_due", "closed_at"],
    )
    return complaint


@transaction.atomic
def complaint_redo(*, complaint, actor, reason):
    """重办 ordered by the complaint office (e.g. the 回访 found the answer inadequate)."""
    _require(is_office(actor), _("只有投诉处理专员可以决定重办。"))
    complaint = _lock(complaint)
    _check(complaint, A.REDO)
    return _redo(complaint, actor=actor, reason=reason or _("重办"))


@transaction.atomic
def complaint_reopen(*, complaint, actor, reason):
    _require(is_office(actor), _("只有投诉处理专员可以重新打开。"))
    if not (reason or "").strip():
        raise ValidationError(_("请填写重新打开的理由。"))
    complaint = _lock(complaint)
    _check(complaint, A.REOPEN)
    return _redo(complaint, actor=actor, reason=reason)


@transaction.atomic
def complaint_close(*, complaint, actor, note=""):
    _require(is_office(actor), _("只有投诉处理专员可以办结。"))
    complaint = _lock(complaint)
    complaint.closed_at = timezone.now()
    _move(complaint, A.CLOSE, actor=actor, message=note, public=True, fields=["closed_at"])
    return complaint


# --- Extensions ---------------------------------------------------------------------------------


@transaction.atomic
def extension_request(*, complaint, actor, reason, extra_working_days):
    """延期申请 by the handler; the handler's supervisor (or the complaint office) decides."""
    complaint = _lock(complaint)
    _require(complaint.handler_id == actor.pk, _("只有承办人可以申请延期。"))
    _check(complaint, A.EXTENSION_REQUEST)
    if not (reason or "").strip():
        raise ValidationError(_("请填写延期理由。"))
    if not 1 <= int(extra_working_days) <= 30:
        raise ValidationError(_("延长工作日须在1至30之间。"))
    if complaint.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise WorkflowError(_("已有待审批的延期申请。"))
    request = ExtensionRequest.objects.create(
        complaint=complaint, requested_by=actor, reason=reason, extra_working_days=int(extra_working_days)
    )
    _log(complaint, A.EXTENSION_REQUEST, actor=actor, from_status=complaint.status, message=reason)
    context = {"reference": complaint.reference, "days": request.extra_working_days}
    notify(extension_deciders(complaint, exclude=actor), "extension_requested", complaint, context)
    return request


def extension_deciders(complaint, *, exclude=None):
    """Who is asked to decide: the handler's supervisor and the department head who may approve
    extensions; the complaint office when there is neither."""
    users = []
    profile = getattr(complaint.handler, "profile", None) if complaint.handler_id else None
    if profile is not None and profile.supervisor_id:
        users.append(profile.supervisor)
    head = complaint.department.head if complaint.department_id and complaint.department.head_id else None
    if head is not None and head.has_perm("complaints.approve_extension"):
        users.append(head)
    users = users or list(office_users())
    return [u for u in users if exclude is None or u.pk != exclude.pk]


def may_decide_extension(user, complaint):
    if is_office(user):
        return True
    handler_profile = getattr(complaint.handler, "profile", None) if complaint.handler_id else None
    if handler_profile is not None and handler_profile.supervisor_id == user.pk:
        return True
    department = complaint.department
    return bool(department and department.head_id == user.pk and user.has_perm("complaints.approve_extension"))


@transaction.atomic
def extension_decide(*, extension, actor, approve, note=""):
    complaint = _lock(extension.complaint)
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    _require(may_decide_extension(actor, complaint), _("只有承办人的上级或投诉处理专员可以审批延期。"))
    if extension.status != ExtensionRequest.Status.PENDING:
        raise WorkflowError(_("该延期申请已审批。"))
    if complaint.status not in OPEN_STATUSES:
        raise WorkflowError(_("投诉已答复或办结，无需延期。"))
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    if approve:
        extension.status = ExtensionRequest.Status.APPROVED
        extension.new_due = add_working_days(complaint.resolution_due, extension.extra_working_days)
        complaint.resolution_due = extension.new_due
        complaint.save(update_fields=["resolution_due", "updated_at"])
        message = _("同意延期至 %(date)s。") % {"date": f"{extension.new_due:%Y-%m-%d}"}
        action = A.EXTENSION_APPROVE
    else:
        extension.status = ExtensionRequest.Status.REJECTED
        message = _("不同意延期。")
        action = A.EXTENSION_REJECT
    extension.save(update_fields=["status", "decided_by", "decided_at", "new_due"])
    _log(complaint, action, actor=actor, from_status=complaint.status, message=(message + " " + note).strip())
    return extension


# --- Links, reveals -----------------------------------------------------------------------------


@transaction.atomic
def complaint_link(*, complaint, actor, subject_request_ref="", incident_ref=""):
    """Record that a privacy complaint became a data-subject request and/or a security incident."""
    _require(is_office(actor) or actor.has_perm("privacy.change_subjectrequest"))
    complaint = _lock(complaint)
    if not complaint.category.is_privacy:
        raise ValidationError(_("只有“个人信息与隐私”类诉求可以关联权利请求或安全事件。"))
    complaint.linked_subject_request_ref = (subject_request_ref or "").strip()
    complaint.linked_incident_ref = (incident_ref or "").strip()
    complaint.save(update_fields=["linked_subject_request_ref", "linked_incident_ref", "updated_at"])
    _log(complaint, A.LINK, actor=actor, from_status=complaint.status)
    return complaint


def complainant_reveal(*, complaint, actor, purpose, request=None):
    """The complainant's identity in clear, for the complaint office and the privacy officer only."""
    _require(can_reveal_identity(actor), _("只有投诉处理专员和个人信息保护负责人可以查看投诉人身份。"))
    if not (purpose or "").strip():
        raise ValidationError(_("请说明查看目的。"))
    record_access(
        actor,
        "reveal",
        complaint,
        purpose=purpose,
        detail={"fields": ["complainant"]},
        subject_ids=[complaint.contact_id] if complaint.contact_id else (),
        request=request,
    )
    return {
        "name": complaint.complainant_name,
        "phone": complaint.complainant_phone,
        "email": complaint.complainant_email,
    }


# --- Deadlines ----------------------------------------------------------------------------------


def office_users():
    User = get_user_model()
    perm = Q(
        groups__permissions__codename="manage_complaints", groups__permissions__content_type__app_label="complaints"
    )
    return User.objects.filter(is_active=True).filter(perm).distinct()


def _recipients(complaint, kind):
    """Who is told: the handler (催办, 督办), the handler's supervisor (督办), the complaint office
    (受理确认催办, 督办, and any notice while nobody handles the complaint)."""
    users = {}
    if kind in (Reminder.Kind.REMIND, Reminder.Kind.ESCALATE) and complaint.handler_id:
        users[complaint.handler_id] = complaint.handler
    if kind == Reminder.Kind.ESCALATE and complaint.handler_id:
        profile = getattr(complaint.handler, "profile", None)
        if profile is not None and profile.supervisor_id:
            users[profile.supervisor_id] = profile.supervisor
    if kind != Reminder.Kind.REMIND or not complaint.handler_id:
        for user in office_users():
            users[user.pk] = user
    return list(users.values())


REMINDER_KINDS = {
    Reminder.Kind.ACK_REMIND: "complaint_ack_remind",
    Reminder.Kind.REMIND: "complaint_remind",
    Reminder.Kind.ESCALATE: "complaint_escalate",
}


def _send_reminder(complaint, kind, deadline, today):
    """Record the reminder once (unique per complaint, kind and deadline) and notify its recipients."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(complaint=complaint, kind=kind, deadline=deadline)
    except IntegrityError:
        return False  # already sent for this deadline (an earlier run, or a parallel worker)
    recipients = _recipients(complaint, kind)
    reminder.recipient_count = len(recipients)
    reminder.save(update_fields=["recipient_count"])
    action = A.ESCALATE if kind == Reminder.Kind.ESCALATE else A.REMIND
    _log(complaint, action, from_status=complaint.status, message=Reminder.Kind(kind).label)
    context = {
        "reference": complaint.reference,
        "deadline": deadline,
        "status": complaint.status,  # the code: shown as its label in the reader's language
        "overdue_days": max(working_days_between(deadline, today), 0),
    }
    notify(recipients, REMINDER_KINDS[kind], complaint, context)
    return True


def check_deadlines(*, today=None):
    """催办 before a deadline, 督办 after it. Safe to run any number of times: each notice once."""
    today = today or timezone.localdate()
    counts = {Reminder.Kind.ACK_REMIND: 0, Reminder.Kind.REMIND: 0, Reminder.Kind.ESCALATE: 0}
    base = Complaint.objects.open().select_related("kind", "handler", "handler__profile__supervisor")
    for complaint in base.filter(acknowledged_at__isnull=True, ack_due__lte=today):
        with transaction.atomic():
            counts[Reminder.Kind.ACK_REMIND] += _send_reminder(
                complaint, Reminder.Kind.ACK_REMIND, complaint.ack_due, today
            )
    for complaint in base.filter(resolution_due__gte=today):
        if working_days_between(today, complaint.resolution_due) <= complaint.kind.remind_before_working_days:
            with transaction.atomic():
                counts[Reminder.Kind.REMIND] += _send_reminder(
                    complaint, Reminder.Kind.REMIND, complaint.resolution_due, today
                )
    for complaint in base.filter(resolution_due__lt=today):
        with transaction.atomic():
            counts[Reminder.Kind.ESCALATE] += _send_reminder(
                complaint, Reminder.Kind.ESCALATE, complaint.resolution_due, today
            )
    return {str(k): v for k, v in counts.items()}
