"""Every change to a data-subject request goes through here: intake, identity, the workflow, the clock job.

One keyword-only service per transition; each checks the table `TRANSITIONS` (action -> statuses
it may start from) and writes a timeline entry (`SubjectRequestEvent`) in the same transaction.
Fulfilment of each kind is `fulfil` (through the existing services of the other concerns); what the
requester is told goes to their recorded mobile or e-mail (`notices`) and onto the self-service page.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.consent.services import ConsentError

from . import clock, codes, notices
from .models import (
    CLOCK_STATUSES,
    OPEN_STATUSES,
    CorrectableField,
    RefusalGround,
    Relationship,
    RequestChannel,
    Requester,
    RequestKind,
    RequestStatus,
    SubjectRequest,
    SubjectRequestEvent,
)

S = RequestStatus
A = SubjectRequestEvent.Action
PROOF_PURPOSE = "subject_request_proof"

# action: statuses it may start from
TRANSITIONS = {
    A.VERIFY: {S.AWAITING_VERIFICATION},
    A.CODE_SENT: {S.AWAITING_VERIFICATION},
    A.ASSIGN: {S.RECEIVED, S.IN_PROGRESS},
    A.PAUSE: {S.IN_PROGRESS},
    A.RESUME: {S.PAUSED},
    A.EXTEND: {S.RECEIVED, S.IN_PROGRESS, S.PAUSED},
    A.COMPLETE: {S.IN_PROGRESS},
    A.REFUSE: set(OPEN_STATUSES),
    A.CLOSE: {S.AWAITING_VERIFICATION, S.PAUSED},
    A.NOTE: set(S.values),
}


class WorkflowError(ValidationError):
    """A step the workflow does not allow from the request's current state."""


def subject_request_due(received_at):
    """The due date of a request received at `received_at` (kept for callers of the first version)."""
    return clock.due_from(received_at)


# --- Permissions --------------------------------------------------------------------------------


def can_manage(user):
    """The privacy officer (or whoever may change every request): assigns, verifies, refuses, …"""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("privacy.change_subjectrequest"))


def can_handle(user, subject_request):
    """May `user` work on this request: a manager, or the handler it is assigned to."""
    if can_manage(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("privacy.handle_subjectrequest")
        and subject_request.assigned_to_id == user.pk
    )


def _require(condition, message=None):
    if not condition:
        raise PermissionDenied(message or _("您没有办理该请求的权限。"))


def get_request_for_user(user, pk):
    """The request `pk` if `user` may see it, else Http404 (never confirm it exists)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        SubjectRequest.objects.visible_to(user).select_related("contact__enterprise", "assigned_to"), pk=pk
    )


def handler_choices(subject_request):
    """Active users who may handle the request and can see its contact."""
    from django.contrib.auth.models import Permission

    from privacy.shortcuts import visible_contacts

    perms = Permission.objects.filter(
        content_type__app_label="privacy", codename__in=["handle_subjectrequest", "change_subjectrequest"]
    )
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=perms) | Q(user_permissions__in=perms) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )
    contact_id = subject_request.contact_id
    return [u for u in users if contact_id is None or visible_contacts(u).filter(pk=contact_id).exists()]


# --- Timeline -----------------------------------------------------------------------------------


def _lock(subject_request):
    return SubjectRequest.objects.select_for_update(of=("self",)).select_related("contact").get(pk=subject_request.pk)


def _log(subject_request, action, *, actor=None, message="", public=False, from_status="", to_status=""):
    return SubjectRequestEvent.objects.create(
        request=subject_request,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        message=(message or "").strip()[:5000],
        public=public,
        from_status=from_status,
        to_status=to_status,
        subject_key_id=subject_request.subject_key_id,
    )


def _check(subject_request, action):
    if subject_request.status not in TRANSITIONS[action]:
        raise WorkflowError(
            _("该请求当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": subject_request.get_status_display(), "action": A(action).label}
        )


def _move(subject_request, action, to_status, *, actor=None, message="", public=False, fields=()):
    _check(subject_request, action)
    from_status = subject_request.status
    subject_request.status = to_status
    subject_request.save(update_fields=["status", *fields])
    return _log(
        subject_request,
        action,
        actor=actor,
        message=message,
        public=public,
        from_status=from_status,
        to_status=to_status,
    )


# --- Intake -------------------------------------------------------------------------------------


def _clean_intake(kind, requester, relative_name, relationship, proof, correction_field, correction_value):
    if kind not in RequestKind.values:
        raise ConsentError(_("不支持的请求类型。"))
    if requester not in Requester.values:
        raise ConsentError(_("请选择申请人身份。"))
    if requester == Requester.RELATIVE:
        if not (relative_name or "").strip() or relationship not in Relationship.values:
            raise ConsentError(_("近亲属提出请求时，请填写姓名和与已故者的关系。"))
        if not proof:
            raise ConsentError(_("近亲属提出请求时，请上传关系证明（如死亡证明和亲属关系证明）。"))
    if kind == RequestKind.CORRECTION and (
        correction_field not in CorrectableField.values or not (correction_value or "").strip()
    ):
        raise ConsentError(_("请选择要更正的项目并填写正确的内容。"))


@transaction.atomic
def subject_request_create(
    *,
    contact,
    kind,
    channel=RequestChannel.SELFSERVICE,
    details="",
    user=None,
    requester=Requester.SELF,
    relative_name="",
    relationship="",
    proof=None,
    correction_field="",
    correction_value="",
    verified=None,
    verification_note="",
):
    """Record a request with its due date.

    `verified`: the requester's identity is established -- by default when the request comes
    through the self-service link (possession of the recorded channel) and needs no code. Else the
    request waits for a one-time code or a member of staff's check in person."""
    _clean_intake(kind, requester, relative_name, relationship, proof, correction_field, correction_value)
    now = timezone.now()
    req = SubjectRequest(
        contact=contact,
        kind=kind,
        channel=channel,
        details=(details or "").strip()[:5000],
        requester=requester,
        relative_name=(relative_name or "").strip()[:50] if requester == Requester.RELATIVE else "",
        relationship=relationship if requester == Requester.RELATIVE else "",
        correction_field=correction_field if kind == RequestKind.CORRECTION else "",
        correction_value=(correction_value or "").strip()[:200] if kind == RequestKind.CORRECTION else "",
        received_at=now,
        due_date=clock.due_from(now),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if verified is None:
        verified = channel == RequestChannel.SELFSERVICE and not req.needs_code
    req.status = S.RECEIVED if verified else S.AWAITING_VERIFICATION
    if verified:
        req.verified_at = now
    req.save()
    if proof:
        from privacy import files

        req.proof.save("proof.zsf", files.encrypted_upload(req, proof, purpose=PROOF_PURPOSE), save=False)
        req.save(update_fields=["proof"])
    _log(req, A.RECEIVE, actor=user, public=True, to_status=req.status)
    if verified and verification_note:
        _log(req, A.VERIFY, actor=user, message=verification_note, to_status=req.status)
    return req


def _verified(req, *, actor=None, message=""):
    now = timezone.now()
    req.verified_at = now
    fields = ["verified_at"]
    if clock.clock_from_verification():
        req.due_date = clock.due_from(now)
        fields.append("due_date")
    _move(req, A.VERIFY, S.RECEIVED, actor=actor, message=message, public=True, fields=fields)
    return req


@transaction.atomic
def subject_request_send_code(*, subject_request, actor=None):
    """Send a fresh one-time code to the recorded mobile or e-mail. ValidationError when none."""
    req = _lock(subject_request)
    _check(req, A.CODE_SENT)
    via = codes.code_issue(req)
    if not via:
        raise ValidationError(_("该联系人没有可接收验证码的手机号（或未配置短信服务）和电子邮箱。"))
    _log(req, A.CODE_SENT, actor=actor, message=via, from_status=req.status, to_status=req.status)
    return via


def subject_request_verify_code(*, subject_request, code):
    """Check the requester's code; on success the request is verified (its clock may start now).
    A wrong code counts as an attempt even though CodeError is raised."""
    error = None
    with transaction.atomic():
        req = _lock(subject_request)
        _check(req, A.VERIFY)
        try:
            codes.code_check(req, code)
        except codes.CodeError as exc:
            error = exc
            _log(req, A.CODE_FAILED, from_status=req.status, to_status=req.status)
        else:
            _verified(req, message=_("验证码核验通过"))
    if error is not None:
        raise error
    return req


@transaction.atomic
def subject_request_verify(*, subject_request, actor, note):
    """A member of staff verified the requester in person (or by documents): a note is required."""
    _require(can_manage(actor))
    if not (note or "").strip():
        raise ValidationError(_("请填写核验方式（如当面查验身份证件）。"))
    return _verified(_lock(subject_request), actor=actor, message=note)


# --- Workflow -----------------------------------------------------------------------------------


@transaction.atomic
def subject_request_assign(*, subject_request, actor, handler):
    """Assign a handler; the request is then in progress."""
    _require(can_manage(actor), _("只有个人信息保护负责人可以分派请求。"))
    req = _lock(subject_request)
    if handler is None or handler.pk not in {u.pk for u in handler_choices(req)}:
        raise ValidationError(_("所选人员不能承办该请求。"))
    req.assigned_to = handler
    from zhaoshang.core.names import person_name

    _move(req, A.ASSIGN, S.IN_PROGRESS, actor=actor, message=person_name(handler), fields=["assigned_to"])
    if handler.pk != actor.pk:
        from zhaoshang.core.notifications import notify

        notify([handler], "subject_request_assigned", req, {"number": req.pk, "due": req.due_date})
    return req


@transaction.atomic
def subject_request_pause(*, subject_request, actor, reason):
    """Stop the clock while waiting for the requester (e.g. a missing document); they are told why."""
    req = _lock(subject_request)
    _require(can_handle(actor, req))
    if not (reason or "").strip():
        raise ValidationError(_("请填写需要申请人补充的内容。"))
    req.remaining_days = clock.remaining_on(req.due_date)
    req.paused_at = timezone.now()
    _move(req, A.PAUSE, S.PAUSED, actor=actor, message=reason, public=True, fields=["remaining_days", "paused_at"])
    notices.tell_requester(
        req, _("您的请求 #%(pk)s 需要您补充：%(reason)s 请在自助服务页面答复。") % {"pk": req.pk, "reason": reason}
    )
    return req


@transaction.atomic
def subject_request_resume(*, subject_request, reply, actor=None):
    """The requester answered (self-service page, or staff recording a reply): the clock runs again."""
    req = _lock(subject_request)
    if actor is not None:
        _require(can_handle(actor, req))
    if not (reply or "").strip():
        raise ValidationError(_("请填写答复内容。"))
    req.due_date = clock.resumed_due(req.remaining_days)
    req.remaining_days = None
    req.paused_at = None
    _move(
        req,
        A.RESUME,
        S.IN_PROGRESS,
        actor=actor,
        message=reply,
        public=True,
        fields=["due_date", "remaining_days", "paused_at"],
    )
    return req


@transaction.atomic
def subject_request_extend(*, subject_request, actor, reason):
    """The one extension, with a reason the requester is told."""
    req = _lock(subject_request)
    _require(can_manage(actor), _("只有个人信息保护负责人可以延长答复期限。"))
    _check(req, A.EXTEND)
    if req.extended_at is not None:
        raise WorkflowError(_("答复期限只能延长一次。"))
    if not (reason or "").strip():
        raise ValidationError(_("请填写延期理由。"))
    req.extended_at = timezone.now()
    req.extension_reason = reason.strip()[:2000]
    fields = ["extended_at", "extension_reason"]
    if req.status == S.PAUSED:
        req.remaining_days = (req.remaining_days or 0) + settings.SUBJECT_REQUEST_EXTENSION_DAYS
        fields.append("remaining_days")
    else:
        req.due_date = clock.extended_due(req.due_date)
        fields.append("due_date")
    req.save(update_fields=fields)
    _log(req, A.EXTEND, actor=actor, message=reason, public=True, from_status=req.status, to_status=req.status)
    notices.tell_requester(
        req,
        _("您的请求 #%(pk)s 的答复期限已延长至 %(due)s，理由：%(reason)s")
        % {"pk": req.pk, "due": f"{req.due_date:%Y-%m-%d}", "reason": reason},
    )
    return req


@transaction.atomic
def subject_request_note(*, subject_request, actor, text):
    req = _lock(subject_request)
    _require(can_handle(actor, req))
    if not (text or "").strip():
        raise ValidationError(_("备注内容不能为空。"))
    return _log(req, A.NOTE, actor=actor, message=text, from_status=req.status, to_status=req.status)


def refusal_reply(subject_request, ground, text):
    """What the requester reads: the ground, the explanation, and where to complain or sue (Art. 50)."""
    from django.urls import reverse

    complaint_url = settings.SITE_URL.rstrip("/") + reverse("complaints:public_new")
    return _(
        "您的请求 #%(pk)s 不予办理。理由：%(ground)s。%(text)s\n"
        "如您对此有异议，可通过投诉页面 %(url)s 向我们投诉，或向履行个人信息保护职责的部门投诉、举报；"
        "依照《中华人民共和国个人信息保护法》第五十条，您也可以依法向人民法院提起诉讼。"
    ) % {
        "pk": subject_request.pk,
        "ground": RefusalGround(ground).label,
        "text": (text or "").strip(),
        "url": complaint_url,
    }


@transaction.atomic
def subject_request_refuse(*, subject_request, actor, ground, text):
    """不予办理: a legal ground from the list and an explanation; the reply names both and the remedies."""
    req = _lock(subject_request)
    _require(can_manage(actor), _("只有个人信息保护负责人可以决定不予办理。"))
    if ground not in RefusalGround.values:
        raise ValidationError(_("请选择不予办理的法定理由。"))
    if not (text or "").strip():
        raise ValidationError(_("请填写不予办理的具体说明。"))
    reply = refusal_reply(req, ground, text)  # what the requester is sent, in the officer's language
    req.refusal_ground = ground
    req.outcome = text.strip()[:5000]  # the page composes ground, text and remedies in the reader's language
    req.closed_at = timezone.now()
    _move(
        req,
        A.REFUSE,
        S.REFUSED,
        actor=actor,
        message=text,
        public=True,
        fields=["refusal_ground", "outcome", "closed_at"],
    )
    notices.tell_requester(req, reply)
    return req


class FulfilmentRefused(ValidationError):
    """Fulfilment could not be carried out (a hold, a retention floor, no write permission, …)."""


def subject_request_complete(*, subject_request, actor, outcome, partly=False, apply=True, correction_value=None):
    """办结: carry out the request through the services of the other concerns, then close it
    (completed, or partly completed). When fulfilment is refused the request stays open, the
    refusal is on the timeline and FulfilmentRefused carries its message."""
    from .fulfil import fulfil

    if not (outcome or "").strip():
        raise ValidationError(_("请填写给申请人的答复内容。"))
    refused = None
    with transaction.atomic():
        req = _lock(subject_request)
        _require(can_handle(actor, req))
        _check(req, A.COMPLETE)
        if correction_value is not None and req.kind == RequestKind.CORRECTION:
            req.correction_value = correction_value.strip()[:200]
            req.save(update_fields=["correction_value"])
        notice_to = notices.recorded_channels(req)
        if apply or not partly:
            try:
                with transaction.atomic():
                    detail = fulfil(req, actor=actor, reason=outcome)
            except FulfilmentRefused as exc:
                refused = exc
                _log(
                    req,
                    A.FULFIL_FAILED,
                    actor=actor,
                    message=exc.messages[0],
                    from_status=req.status,
                    to_status=req.status,
                )
            else:
                _log(req, A.FULFIL, actor=actor, message=detail, from_status=req.status, to_status=req.status)
        if refused is None:
            req.outcome = outcome.strip()[:5000]
            req.closed_at = timezone.now()
            target = S.PARTLY_COMPLETED if partly else S.COMPLETED
            _move(req, A.COMPLETE, target, actor=actor, message=outcome, public=True, fields=["outcome", "closed_at"])
            notices.tell_requester(
                req,
                _("您的请求 #%(pk)s 已办结：%(outcome)s") % {"pk": req.pk, "outcome": outcome.strip()},
                channels=notice_to,
            )
    if refused is not None:
        raise refused
    return req


@transaction.atomic
def subject_request_close(*, subject_request, reason):
    """Closed by the system: never verified, or the requester never answered a pause."""
    req = _lock(subject_request)
    req.closed_at = timezone.now()
    _move(req, A.CLOSE, S.CLOSED, message=reason, public=True, fields=["closed_at"])
    return req


# --- The clock job ------------------------------------------------------------------------------


def _reminder_recipients(req):
    if req.assigned_to_id and req.assigned_to.is_active:
        return [req.assigned_to]
    from privacy.sharing.reminders import privacy_officers

    return privacy_officers()


def check_subject_requests(*, now=None):
    """Close unverified requests and unanswered pauses, remind before the due date and daily when
    overdue. Safe to run any number of times (each notice once per key)."""
    from zhaoshang.core.calendar import working_days_between
    from zhaoshang.core.notifications import notify

    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"closed_unverified": 0, "closed_paused": 0, "reminded": 0, "overdue": 0}
    cutoff = now - datetime.timedelta(days=settings.SUBJECT_REQUEST_UNVERIFIED_CLOSE_DAYS)
    for req in SubjectRequest.objects.unverified().filter(received_at__lt=cutoff):
        subject_request_close(subject_request=req, reason=_("身份未在规定时间内核验，请求自动关闭。"))
        counts["closed_unverified"] += 1
    cutoff = now - datetime.timedelta(days=settings.SUBJECT_REQUEST_PAUSE_CLOSE_DAYS)
    for req in SubjectRequest.objects.filter(status=S.PAUSED, paused_at__lt=cutoff):
        subject_request_close(subject_request=req, reason=_("申请人未在规定时间内补充材料，请求自动关闭。"))
        counts["closed_paused"] += 1
    running = SubjectRequest.objects.filter(status__in=CLOCK_STATUSES).select_related("assigned_to")
    for req in running:
        left = working_days_between(today, req.due_date)
        if 0 <= left <= settings.SUBJECT_REQUEST_REMIND_BEFORE_DAYS:
            rows = notify(
                _reminder_recipients(req),
                "subject_request_due",
                req,
                {"number": req.pk, "due": req.due_date, "status": req.status},
                once_key=f"due:{req.due_date:%Y%m%d}",
            )
            if rows:
                _log(req, A.REMIND, from_status=req.status, to_status=req.status)
                counts["reminded"] += 1
        elif left < 0:
            rows = notify(
                _reminder_recipients(req),
                "subject_request_overdue",
                req,
                {"number": req.pk, "due": req.due_date, "days": -left, "status": req.status},
                once_key=f"overdue:{today:%Y%m%d}",
            )
            counts["overdue"] += bool(rows)
    return counts


from .erasure import ErasureRefused, contact_erase  # noqa: E402,F401
