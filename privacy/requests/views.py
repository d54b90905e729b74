"""Staff pages of data-subject requests: the queue, a request with its timeline and actions, staff entry.

Reads go through `SubjectRequestQuerySet.visible_to` (the privacy officer: every request of a
contact in scope; a handler: those assigned to them); anything else is a 404. Actions are POSTs,
each calling one service; a refusal from a service is shown as a message, never a 500.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.access import record_access
from privacy.shortcuts import require_perms, visible_contacts
from zhaoshang.core.calendar import add_working_days

from . import forms, services
from .models import CLOCK_STATUSES, RequestKind, RequestStatus, SubjectRequest

PAGE_SIZE = 50
DUE_FILTERS = {"overdue", "soon"}


def _filtered(request, base):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    due = request.GET.get("due", "")
    today = timezone.localdate()
    rows = base
    if status == "open":
        rows = rows.open()
    elif status in RequestStatus.values:
        rows = rows.filter(status=status)
    if kind in RequestKind.values:
        rows = rows.filter(kind=kind)
    if due == "overdue":
        rows = rows.overdue(today)
    elif due == "soon":
        rows = rows.filter(status__in=CLOCK_STATUSES, due_date__gte=today, due_date__lte=add_working_days(today, 3))
    return rows, {"status": status, "kind": kind, "due": due if due in DUE_FILTERS else ""}


@never_cache
def requests_list(request):
    """The queue: filters by status, kind and due; counts per status; unverified requests apart."""
    require_perms(request.user, "privacy.view_subjectrequest")
    base = SubjectRequest.objects.visible_to(request.user)
    rows, current = _filtered(request, base)
    if not current["status"]:
        rows = rows.exclude(status=RequestStatus.AWAITING_VERIFICATION)  # their own list (status=unverified)
    counts = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    page = Paginator(
        rows.select_related("contact__enterprise", "assigned_to").order_by("due_date", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/requests.html",
        {
            "page": page,
            "rows": page.object_list,
            "today": timezone.localdate(),
            "current": current,
            "statuses": [(value, label, counts.get(value, 0)) for value, label in RequestStatus.choices],
            "kinds": RequestKind.choices,
            "overdue": base.overdue().count(),
            "can_manage": services.can_manage(request.user),
        },
    )


def _action_forms(req):
    return {
        "assign": forms.AssignForm(subject_request=req),
        "verify": forms.VerifyForm(),
        "note": forms.NoteForm(),
        "pause": forms.ReasonForm(),
        "resume": forms.NoteForm(),
        "extend": forms.ReasonForm(),
        "refuse": forms.RefuseForm(),
        "complete": forms.CompleteForm(
            subject_request=req, initial={"correction_value": req.correction_value, "apply": True}
        ),
    }


@never_cache
def request_detail(request, pk):
    require_perms(request.user, "privacy.view_subjectrequest")
    req = services.get_request_for_user(request.user, pk)
    events = list(req.events.select_related("actor").order_by("at", "pk"))
    # The page shows the request's text and the relative's name in clear: a read of personal data.
    record_access(request.user, "view", req, subject_ids=[req.contact_id] if req.contact_id else [], request=request)
    return render(
        request,
        "privacy/requests/detail.html",
        {
            "req": req,
            "events": events,
            "today": timezone.localdate(),
            "can_manage": services.can_manage(request.user),
            "can_handle": services.can_handle(request.user, req),
            "forms": _action_forms(req),
        },
    )


ACTIONS = {
    "assign": (
        forms.AssignForm,
        lambda r, q, d: services.subject_request_assign(subject_request=q, actor=r.user, handler=d["handler"]),
        gettext_lazy("已分派承办人。"),
    ),
    "verify": (
        forms.VerifyForm,
        lambda r, q, d: services.subject_request_verify(subject_request=q, actor=r.user, note=d["note"]),
        gettext_lazy("已登记身份核验。"),
    ),
    "send-code": (
        None,
        lambda r, q, d: services.subject_request_send_code(subject_request=q, actor=r.user),
        gettext_lazy("验证码已发送到登记的手机号或电子邮箱。"),
    ),
    "note": (
        forms.NoteForm,
        lambda r, q, d: services.subject_request_note(subject_request=q, actor=r.user, text=d["text"]),
        gettext_lazy("已添加备注。"),
    ),
    "pause": (
        forms.ReasonForm,
        lambda r, q, d: services.subject_request_pause(subject_request=q, actor=r.user, reason=d["reason"]),
        gettext_lazy("已暂停并通知申请人补充。"),
    ),
    "resume": (
        forms.NoteForm,
        lambda r, q, d: services.subject_request_resume(subject_request=q, actor=r.user, reply=d["text"]),
        gettext_lazy("已登记申请人的答复，恢复办理。"),
    ),
    "extend": (
        forms.ReasonForm,
        lambda r, q, d: services.subject_request_extend(subject_request=q, actor=r.user, reason=d["reason"]),
        gettext_lazy("已延长答复期限并告知申请人。"),
    ),
    "refuse": (
        forms.RefuseForm,
        lambda r, q, d: services.subject_request_refuse(
            subject_request=q, actor=r.user, ground=d["ground"], text=d["text"]
        ),
        gettext_lazy("已决定不予办理并告知申请人理由和救济途径。"),
    ),
    "complete": (
        forms.CompleteForm,
        lambda r, q, d: services.subject_request_complete(
            subject_request=q,
            actor=r.user,
            outcome=d["outcome"],
            partly=d.get("partly", False),
            apply=d.get("apply", True),
            correction_value=d.get("correction_value"),
        ),
        gettext_lazy("已办结并告知申请人。"),
    ),
}


@require_POST
def request_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    require_perms(request.user, "privacy.view_subjectrequest")
    req = services.get_request_for_user(request.user, pk)
    if not services.can_handle(request.user, req):
        raise PermissionDenied
    form_class, call, success = ACTIONS[action]
    kwargs = {"subject_request": req} if form_class in (forms.AssignForm, forms.CompleteForm) else {}
    form = form_class(request.POST, **kwargs) if form_class else None
    if form is not None and not form.is_valid():
        for name, field_errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in field_errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect("privacy:request_detail", pk=req.pk)
    try:
        call(request, req, form.cleaned_data if form else {})
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您没有办理该请求的权限。"))
    else:
        messages.success(request, success)
        if not SubjectRequest.objects.visible_to(request.user).filter(pk=req.pk).exists():
            return redirect("privacy:requests")
    return redirect("privacy:request_detail", pk=req.pk)


@never_cache
def request_proof(request, pk):
    """The relative's proof document, decrypted for the privacy officer or the handler."""
    from privacy import files

    require_perms(request.user, "privacy.view_subjectrequest")
    req = services.get_request_for_user(request.user, pk)
    if not req.proof or not services.can_handle(request.user, req):
        raise Http404
    try:
        data = files.open_decrypted(req, req.proof, purpose=services.PROOF_PURPOSE)
    except Exception as exc:
        raise Http404 from exc
    kind = "application/pdf" if data[:4] == b"%PDF" else "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
    return files.attachment_response(data, content_type=kind, filename=f"proof-{req.pk}")


@never_cache
def request_new(request, contact_pk):
    """Staff entry from the contact page: a request made by phone, letter, visit or e-mail."""
    require_perms(request.user, "privacy.add_subjectrequest")
    contact = get_object_or_404(visible_contacts(request.user).select_related("enterprise"), pk=contact_pk)
    form = forms.StaffRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        verified = bool(d.get("verified")) and services.can_manage(request.user)
        try:
            req = services.subject_request_create(
                contact=contact,
                kind=d["kind"],
                channel=d["channel"],
                details=d["details"],
                user=request.user,
                requester=d["requester"],
                relative_name=d["relative_name"],
                relationship=d["relationship"],
                proof=d["proof"],
                correction_field=d.get("correction_field", ""),
                correction_value=d.get("correction_value", ""),
                verified=verified,
                verification_note=d["verification_note"] if verified else "",
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                _("已登记请求 #%(pk)s，答复期限 %(due)s。") % {"pk": req.pk, "due": f"{req.due_date:%Y-%m-%d}"},
            )
            if SubjectRequest.objects.visible_to(request.user).filter(pk=req.pk).exists():
                return redirect("privacy:request_detail", pk=req.pk)
            return redirect(contact.get_absolute_url())
    return render(
        request,
        "privacy/requests/new.html",
        {"form": form, "contact": contact, "can_verify": services.can_manage(request.user)},
    )
