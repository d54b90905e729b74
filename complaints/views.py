"""Views of the complaints app: the public form and tracking link, and the staff workspace.

Thin by rule: validate, gate (`get_complaint_for_user`), call a service, render or redirect.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.access import record_access
from privacy import files
from privacy.crypto import DecryptionError, SubjectKeyShredded
from zhaoshang.core.calendar import add_working_days
from zhaoshang.core.ratelimit import over_limit

from . import forms, services
from .access import can_act, can_reveal_identity, get_complaint_for_user, is_office
from .analysis import export_csv, summarise
from .models import Channel, Complaint, ExtensionRequest, Status

logger = logging.getLogger(__name__)

# --- Public pages -------------------------------------------------------------------------------


def _client_key(request):
    ip = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:32]
    return f"complaints:public-form:{digest}:{timezone.now():%Y%m%d%H}"


def _over_rate_limit(request):
    """Count this submission from the client's IP; True once the hourly limit is exceeded.

    Without Redis the limit is not counted (logged) rather than losing the complaint to a 500.
    """
    return over_limit(
        _client_key(request),
        limit=settings.PUBLIC_FORM_RATE_LIMIT_PER_HOUR,
        window=3600,
        scope="complaints.public-form",
    )


def _no_store(response):
    response["Cache-Control"] = "no-store, private"
    return response


@login_not_required
@never_cache
def public_new(request):
    """The public complaint and feedback form: no account, identity optional."""
    if request.method == "POST":
        if _over_rate_limit(request):
            return render(request, "complaints/public/rate_limited.html", status=429)
        form = forms.PublicComplaintForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            complaint, secret = services.complaint_submit(
                kind=data["kind"],
                category=data["category"],
                description=data["description"],
                channel=Channel.WEB,
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                attachments=data["attachments"],
            )
            request.session["complaints_submitted"] = [complaint.reference, secret]
            return redirect("complaints:public_done")
    else:
        form = forms.PublicComplaintForm()
    return _no_store(render(request, "complaints/public/new.html", {"form": form}))


@login_not_required
@never_cache
def public_done(request):
    """Shows the number and tracking link once, right after submitting."""
    submitted = request.session.pop("complaints_submitted", None)
    if not submitted:
        return redirect("complaints:public_new")
    reference, secret = submitted
    link = request.build_absolute_uri(reverse("complaints:track", args=[reference, secret]))
    return _no_store(render(request, "complaints/public/done.html", {"reference": reference, "link": link}))


def _tracked(reference, secret):
    complaint = Complaint.objects.select_related("kind", "category").filter(reference=reference).first()
    # Compare a digest even when the number does not exist, so timing does not tell the two apart.
    if complaint is None:
        Complaint(tracking_secret_hash="0" * 64).secret_matches(secret)
        raise Http404
    if not complaint.secret_matches(secret):
        raise Http404
    return complaint


@login_not_required
@never_cache
def track(request, reference, secret):
    """The complainant's view: status, public timeline entries and replies, and the rating form."""
    complaint = _tracked(reference, secret)
    can_rate = complaint.status in {Status.REPLIED, Status.FOLLOWED_UP, Status.CLOSED} and not (
        complaint.rated_at and complaint.replied_at and complaint.rated_at >= complaint.replied_at
    )
    form = forms.RatingForm()
    if request.method == "POST":
        form = forms.RatingForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_rate(
                    complaint=complaint, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("感谢您的评价。"))
                return redirect(request.path)
    events = complaint.events.filter(public=True).select_related("subject_key").order_by("at", "pk")
    response = render(
        request,
        "complaints/public/track.html",
        {"complaint": complaint, "events": events, "form": form, "can_rate": can_rate},
    )
    return _no_store(response)


# --- Staff workspace ----------------------------------------------------------------------------


def _require_view(user):
    if not user.has_perm("complaints.view_complaint"):
        raise PermissionDenied


def complaint_list(request):
    _require_view(request.user)
    filters = forms.FilterForm(request.GET or None)
    qs = Complaint.objects.visible_to(request.user).select_related("kind", "category", "department", "handler")
    today = timezone.localdate()
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            qs = qs.filter(status=filters.cleaned_data["status"])
        due = filters.cleaned_data["due"]
        if due == "mine":
            qs = qs.open().filter(handler=request.user)
        elif due == "soon":
            qs = qs.due_within(add_working_days(today, 3), today)
        elif due == "overdue":
            qs = qs.overdue(today)
    page = Paginator(qs.order_by("-received_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "filters": filters,
            "today": today,
            "can_enter": request.user.has_perm("complaints.add_complaint"),
        },
    )


def staff_new(request):
    """Staff entry of a phone, e-mail, visit, letter or 12345 complaint."""
    if not request.user.has_perm("complaints.add_complaint"):
        raise PermissionDenied
    if request.method == "POST":
        form = forms.StaffComplaintForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            complaint, secret = services.complaint_submit(
                kind=data["kind"],
                category=data["category"],
                description=data["description"],
                channel=data["channel"],
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                subject_department=data["subject_department"],
                attachments=data["attachments"],
                created_by=request.user,
            )
            link = request.build_absolute_uri(reverse("complaints:track", args=[complaint.reference, secret]))
            return _no_store(render(request, "complaints/staff_created.html", {"complaint": complaint, "link": link}))
    else:
        form = forms.StaffComplaintForm()
    return render(request, "complaints/staff_new.html", {"form": form})


def complaint_detail(request, pk):
    complaint = get_complaint_for_user(request.user, pk)
    record_access(request.user, "view", complaint, purpose=_("办理投诉"), request=request)
    events = complaint.events.select_related("actor", "subject_key").order_by("at", "pk")
    extensions = complaint.extension_requests.select_related("requested_by", "decided_by")
    office = is_office(request.user)
    context = {
        "complaint": complaint,
        "events": events,
        "extensions": extensions,
        "attachments": complaint.attachments.all(),
        "can_act": can_act(request.user, complaint),
        "is_office": office,
        "is_handler": complaint.handler_id == request.user.pk,
        "can_reveal": can_reveal_identity(request.user),
        "may_decide": services.may_decide_extension(request.user, complaint),
        "forms": {
            "assign": forms.AssignForm(
                initial={"department": complaint.department_id, "handler": complaint.handler_id}
            ),
            "reason": forms.ReasonForm(),
            "text": forms.TextForm(),
            "note": forms.OptionalNoteForm(),
            "rating": forms.RatingForm(),
            "extension": forms.ExtensionForm(),
            "decision": forms.ExtensionDecisionForm(),
            "link": forms.LinkForm(
                initial={
                    "subject_request_ref": complaint.linked_subject_request_ref,
                    "incident_ref": complaint.linked_incident_ref,
                }
            ),
            "reveal": forms.RevealForm(),
        },
        "today": timezone.localdate(),
    }
    return render(request, "complaints/detail.html", context)


def _assign(request, complaint, data):
    return services.complaint_assign(
        complaint=complaint,
        actor=request.user,
        department=data["department"],
        handler=data["handler"],
        note=data["note"],
    )


# action name: (form class, call(request, complaint, cleaned_data), success message)
ACTIONS = {
    "assign": (forms.AssignForm, _assign, "已分派。"),
    "start": (None, lambda r, c, d: services.complaint_start(complaint=c, actor=r.user), "已开始办理。"),
    "return": (
        forms.ReasonForm,
        lambda r, c, d: services.complaint_return(complaint=c, actor=r.user, reason=d["reason"]),
        "已退单，等待重新分派。",
    ),
    "note": (
        forms.TextForm,
        lambda r, c, d: services.complaint_note(complaint=c, actor=r.user, text=d["text"]),
        "已添加备注。",
    ),
    "reply": (
        forms.TextForm,
        lambda r, c, d: services.complaint_reply(complaint=c, actor=r.user, text=d["text"]),
        "已答复。",
    ),
    "follow-up": (
        forms.RatingForm,
        lambda r, c, d: services.complaint_follow_up(
            complaint=c, actor=r.user, rating=d["rating"], comment=d["comment"]
        ),
        "已登记回访结果。",
    ),
    "close": (
        forms.OptionalNoteForm,
        lambda r, c, d: services.complaint_close(complaint=c, actor=r.user, note=d["note"]),
        "已办结。",
    ),
    "redo": (
        forms.ReasonForm,
        lambda r, c, d: services.complaint_redo(complaint=c, actor=r.user, reason=d["reason"]),
        "已转为重办。",
    ),
    "reopen": (
        forms.ReasonForm,
        lambda r, c, d: services.complaint_reopen(complaint=c, actor=r.user, reason=d["reason"]),
        "已重新打开。",
    ),
    "extension": (
        forms.ExtensionForm,
        lambda r, c, d: services.extension_request(
            complaint=c, actor=r.user, reason=d["reason"], extra_working_days=d["extra_working_days"]
        ),
        "延期申请已提交。",
    ),
    "link": (
        forms.LinkForm,
        lambda r, c, d: services.complaint_link(
            complaint=c, actor=r.user, subject_request_ref=d["subject_request_ref"], incident_ref=d["incident_ref"]
        ),
        "已保存关联。",
    ),
}


@require_POST
def complaint_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    complaint = get_complaint_for_user(request.user, pk, write=True)
    form_class, call, success = ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect("complaints:detail", pk=complaint.pk)
    try:
        call(request, complaint, form.cleaned_data if form else {})
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _(success))
        # 退单 (or a reassignment) can take the complaint out of the user's scope: back to their
        # queue, not to a 404 that would count as an out-of-scope attempt.
        if not Complaint.objects.visible_to(request.user).filter(pk=complaint.pk).exists():
            return redirect(f"{reverse('complaints:list')}?due=mine")
    return redirect("complaints:detail", pk=complaint.pk)


@require_POST
def extension_decide(request, pk, extension_pk):
    complaint = get_complaint_for_user(request.user, pk)
    extension = get_object_or_404(ExtensionRequest, pk=extension_pk, complaint=complaint)
    form = forms.ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审批意见。"))
        return redirect("complaints:detail", pk=complaint.pk)
    try:
        services.extension_decide(
            extension=extension,
            actor=request.user,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("已审批延期申请。"))
    return redirect("complaints:detail", pk=complaint.pk)


@require_POST
@never_cache
def reveal(request, pk):
    complaint = get_complaint_for_user(request.user, pk)
    if not can_reveal_identity(request.user):
        raise PermissionDenied
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明查看目的。"))
        return redirect("complaints:detail", pk=complaint.pk)
    identity = services.complainant_reveal(
        complaint=complaint, actor=request.user, purpose=form.cleaned_data["purpose"], request=request
    )
    return _no_store(render(request, "complaints/reveal.html", {"complaint": complaint, "identity": identity}))


def attachment(request, pk, attachment_pk):
    complaint = get_complaint_for_user(request.user, pk)
    item = get_object_or_404(complaint.attachments, pk=attachment_pk)
    record_access(
        request.user, "view", complaint, purpose=_("查看投诉附件"), detail={"attachment": item.pk}, request=request
    )
    try:
        data = files.open_decrypted(complaint, item.file, purpose=files.COMPLAINT_ATTACHMENT)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    except SubjectKeyShredded:
        messages.error(request, _("该附件的密钥已按规定销毁，附件内容无法再读取。"))
        return redirect("complaints:detail", pk=complaint.pk)
    except DecryptionError:
        logger.warning("complaint attachment %s failed decryption (altered or moved file)", item.pk)
        messages.error(request, _("附件校验失败：文件已损坏或被篡改，无法下载。请联系系统管理员。"))
        return redirect("complaints:detail", pk=complaint.pk)
    return files.attachment_response(data, content_type=item.content_type, filename=item.download_name)


def _analysis_queryset(request):
    qs = Complaint.objects.visible_to(request.user)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(received_at__year=int(year))
    return qs, year


def analysis(request):
    _require_view(request.user)
    qs, year = _analysis_queryset(request)
    return render(request, "complaints/analysis.html", {"summary": summarise(qs), "year": year})


def analysis_export(request):
    _require_view(request.user)
    qs, year = _analysis_queryset(request)
    record_access(request.user, "export", None, purpose=_("投诉统计导出"), row_count=qs.count(), request=request)
    response = HttpResponse(export_csv(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="complaints-{year or "all"}.csv"'
    return _no_store(response)
