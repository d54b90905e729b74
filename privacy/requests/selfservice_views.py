"""The person's side of data-subject requests, under /c/ (mounted by privacy/selfservice/urls.py).

Behind the door cookie (`rendering.selfservice_view`): a short form per kind (`request/<kind>/`),
the request's own page with its status, due date, answer, one-time code entry and the reply to a
pause (`request/<pk>/`), and the generated explanation of the processing rules
(`request/<pk>/explanation/`). Public, without a link: `ask/` and `ask/code/` -- name and mobile or
e-mail matched by blind index, the same neutral answer after the same work whether or not anyone
matches (a worker makes the match: privacy/requests/public.py), the code sent only to the recorded
channel, rate-limited per IP.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from privacy.selfservice.rendering import _back, _harden, _render, selfservice_view
from zhaoshang.core.ratelimit import over_limit

from . import forms, public, services
from .models import RequestKind, RequestStatus, SubjectRequest

KIND_INTROS = {
    RequestKind.ACCESS: gettext_lazy("我们将把我们保存的您的个人信息整理成副本，供您在本页面下载。"),
    RequestKind.PORTABILITY: gettext_lazy(
        "我们将把您的个人信息整理成通用的机器可读格式，供您转移给您指定的其他处理者。为保护您的信息，需要验证码确认。"
    ),
    RequestKind.CORRECTION: gettext_lazy("请选择不准确或不完整的项目，并填写正确的内容。经核对后我们将予以更正。"),
    RequestKind.DELETION: gettext_lazy(
        "删除后，我们将销毁您的联系方式等个人信息，相关记录中的个人信息将被去除，无法恢复；我们将不能再与您联系。法律、行政法规规定须继续保存的，我们将停止除存储和必要安全保护之外的处理。为保护您的信息，需要验证码确认。"
    ),
    RequestKind.RESTRICTION: gettext_lazy(
        "我们将对您的个人信息设置限制处理：在限制期间不再查看明文、导出、推送或向他人提供。"
    ),
    RequestKind.EXPLANATION: gettext_lazy("我们将说明处理您个人信息的目的、依据、种类、接收方和保存期限。"),
    RequestKind.WITHDRAWAL: gettext_lazy(
        "我们将撤回您已作出的全部同意。撤回不影响撤回前基于同意已进行的处理。您也可在本页面逐项撤回。"
    ),
}


def _messages_of(exc):
    return getattr(exc, "messages", None) or [str(exc)]


@require_http_methods(["GET", "POST"])
@selfservice_view
def request_kind(request, contact, kind):
    """One kind's short form (correction: the field and the new value; deletion: what it means and
    a confirmation; relatives: name, relationship and proof)."""
    if kind not in RequestKind.values:
        return _back(request, "#requests")
    form = forms.SelfServiceKindForm(request.POST or None, request.FILES or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req = services.subject_request_create(
                contact=contact,
                kind=kind,
                details=d.get("details", ""),
                requester=d["requester"],
                relative_name=d["relative_name"],
                relationship=d["relationship"],
                proof=d["proof"],
                correction_field=d.get("correction_field", ""),
                correction_value=d.get("correction_value", ""),
            )
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc)[0])
        else:
            if req.status == RequestStatus.AWAITING_VERIFICATION:
                try:
                    services.subject_request_send_code(subject_request=req)
                    messages.info(request, _("验证码已发送到您登记的手机号或电子邮箱，请在10分钟内输入。"))
                except ValidationError as exc:
                    messages.error(request, _messages_of(exc)[0])
            else:
                messages.success(
                    request,
                    _("已收到您的“%(kind)s”请求，编号 %(pk)s。我们将在 %(due)s 前答复您。")
                    % {"kind": req.get_kind_display(), "pk": req.pk, "due": f"{req.due_date:%Y年%m月%d日}"},
                )
            return HttpResponseRedirect(f"{request.selfservice_path}request/{req.pk}/")
    return _render(
        request,
        "privacy/requests/ss_form.html",
        {"form": form, "kind_label": RequestKind(kind).label, "intro": KIND_INTROS[RequestKind(kind)]},
    )


@require_http_methods(["GET", "POST"])
@selfservice_view
def request_status(request, contact, pk):
    """The request's page: status, due date, what we told the person, code entry, reply to a pause."""
    req = SubjectRequest.objects.filter(pk=pk, contact=contact).first()
    if req is None:
        return _back(request, "#requests")
    code_form = forms.CodeForm(request.POST if request.POST.get("action") == "code" else None)
    reply_form = forms.ReplyForm(request.POST if request.POST.get("action") == "reply" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "code" and code_form.is_valid():
                services.subject_request_verify_code(subject_request=req, code=code_form.cleaned_data["code"])
                messages.success(request, _("身份已核验，我们将在答复期限内办理。"))
            elif action == "resend":
                services.subject_request_send_code(subject_request=req)
                messages.info(request, _("验证码已发送到您登记的手机号或电子邮箱，请在10分钟内输入。"))
            elif action == "reply" and reply_form.is_valid():
                services.subject_request_resume(subject_request=req, reply=reply_form.cleaned_data["reply"])
                messages.success(request, _("已收到您的答复，我们将继续办理。"))
            else:
                messages.error(request, _("请检查填写的内容。"))
        except ValidationError as exc:
            messages.error(request, _messages_of(exc)[0])
        return HttpResponseRedirect(f"{request.selfservice_path}request/{req.pk}/")
    req.refresh_from_db()
    events = [e for e in req.events.order_by("at", "pk") if e.public]
    return _render(
        request,
        "privacy/requests/ss_status.html",
        {
            "req": req,
            "events": events,
            "package": req.packages.order_by("-created_at").first(),  # the copy, once built
            "code_form": code_form,
            "reply_form": reply_form,
            "complaint_path": f"{request.selfservice_path}complaint/",
        },
    )


def explanation_context(contact):
    """What the explanation page shows for this person: each purpose with its legal basis, data
    categories, recipients, retention and the person's own consent; the retention rules."""
    from privacy.consent.models import DataCategory
    from privacy.consent.services import consent_state
    from privacy.models import RetentionRule

    labels = dict(DataCategory.choices)
    purposes = []
    for row in consent_state(contact):
        purpose = row["purpose"]
        purposes.append(
            {
                "name": purpose.display_name,
                "description": purpose.display_description,
                "basis": purpose.get_legal_basis_display(),
                "categories": _("、").join(str(labels.get(c, c)) for c in purpose.categories or []),
                "method": purpose.display_method,
                "recipients": _("、").join(
                    [r["partner"].name for r in row.get("recipients", [])]
                    or ([purpose.display_recipient] if purpose.display_recipient else [])
                ),
                "cross_border": purpose.cross_border,
                "retention": purpose.retention_note,
                "needs_consent": row["needs_consent"],
                "granted": row["granted"],
            }
        )
    rules = list(RetentionRule.objects.active().order_by("order", "code"))
    return {"purposes": purposes, "rules": rules, "enterprise": contact.enterprise}


@require_http_methods(["GET"])
@selfservice_view
def request_explanation(request, contact, pk):
    req = SubjectRequest.objects.filter(
        pk=pk,
        contact=contact,
        kind=RequestKind.EXPLANATION,
        status__in=[RequestStatus.COMPLETED, RequestStatus.PARTLY_COMPLETED],
    ).first()
    if req is None:
        return _back(request, "#requests")
    return _render(request, "privacy/requests/ss_explanation.html", {"req": req, **explanation_context(contact)})


# --- The public form (no link) --------------------------------------------------------------------

SESSION_KEY = "privacy_request_ask"


def _public_rate_limited(request):
    ip = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:32]
    return over_limit(
        f"requests:public-form:{digest}:{timezone.now():%Y%m%d%H}",
        limit=settings.SUBJECT_REQUEST_PUBLIC_RATE_LIMIT_PER_HOUR,
        window=3600,
        scope="requests.public-form",
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def ask(request):
    """The public request form. Whatever the outcome of the match, the answer is the same page,
    after the same work: the match is made by a worker (privacy/requests/public.py)."""
    form = forms.PublicRequestForm(request.POST or None)
    if request.method == "POST":
        if _public_rate_limited(request):
            return _harden(_render(request, "privacy/selfservice/rate_limited.html", status=429))
        if form.is_valid():
            request.session[SESSION_KEY] = public.submit(form.cleaned_data)
            return HttpResponseRedirect("code/")
    return _harden(_render(request, "privacy/requests/ask.html", {"form": form}))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def ask_code(request):
    """Enter the code. A correct one verifies the request and opens the person's self-service
    page on it (the code proved possession of the recorded channel, as a link does)."""
    if SESSION_KEY not in request.session:
        return HttpResponseRedirect("../")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST":
        if _public_rate_limited(request):
            return _harden(_render(request, "privacy/selfservice/rate_limited.html", status=429))
        req = public.pending_request(request.session.get(SESSION_KEY))
        if form.is_valid():
            if req is None:
                form.add_error("code", _("验证码不正确或已过期，请重新提交申请。"))
            else:
                try:
                    services.subject_request_verify_code(subject_request=req, code=form.cleaned_data["code"])
                except ValidationError:
                    form.add_error("code", _("验证码不正确或已过期，请重新提交申请。"))
                else:
                    from privacy.selfservice.services import selfservice_link

                    del request.session[SESSION_KEY]
                    path = selfservice_link(req.contact)
                    return HttpResponseRedirect(f"{path}request/{req.pk}/")
    return _harden(_render(request, "privacy/requests/ask_code.html", {"form": form}))
