"""Enterprise pages: list, 报备 with 查重, detail, edit, assign, verify (核实), collaborators."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..forms import AssignForm, CollaborationRequestForm, EnterpriseForm, VerifyForm
from ..models import Enterprise
from ..scopes import can_control, can_write, get_enterprise_for_user, is_head_of
from .common import add_collaborator, keyset_page, parse_cursor, remove_collaborator, require_perm


def enterprise_list(request):
    require_perm(request.user, "clients.view_enterprise")
    qs = Enterprise.objects.visible_to(request.user).select_related("owner", "department")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.name_contains(q)
    rows, next_cursor = keyset_page(qs, parse_cursor(request.GET.get("after")))
    return render(
        request,
        "clients/enterprise_list.html",
        {"enterprises": rows, "next_cursor": next_cursor, "q": q, "paged": bool(request.GET.get("after"))},
    )


@require_http_methods(["GET", "POST"])
def enterprise_create(request):
    require_perm(request.user, "clients.add_enterprise")
    form = EnterpriseForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = services.enterprise_find_duplicates(name=data["name"], credit_code=data.get("credit_code") or "")
        exact = [d for d in duplicates if data.get("credit_code") and d.credit_code == data["credit_code"]]
        if exact or (duplicates and not request.POST.get("confirm_not_duplicate")):
            if exact:
                form.add_error("credit_code", _("该统一社会信用代码已报备，不能重复创建。"))
            messages.warning(request, _("发现可能重复的企业。请申请协办，或确认不是同一家企业后再提交。"))
        else:
            try:
                enterprise = services.enterprise_create(user=request.user, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("企业已报备。"))
                return redirect(enterprise)
    return render(
        request,
        "clients/enterprise_form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "creating": True,
            "visible_ids": _offer_collaboration(request.user, duplicates),
        },
    )


# 申请协办 links are handed out only with a 查重 result: a signed token of the matched enterprise id,
# bound to the user it was shown to and valid for a short while. The page shows the company name and
# its owner, so it must not be reachable by walking enterprise ids.
COLLABORATION_SALT = "clients.enterprise_request_collaboration"
COLLABORATION_LINK_MAX_AGE = 30 * 60  # seconds


def collaboration_token(user, enterprise_pk):
    return signing.dumps({"e": enterprise_pk, "u": user.pk}, salt=COLLABORATION_SALT)


def _enterprise_pk_from_token(user, token):
    """The enterprise id in a 申请协办 token issued to `user`; 404 for anything forged, foreign or stale."""
    try:
        payload = signing.loads(token, salt=COLLABORATION_SALT, max_age=COLLABORATION_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        raise Http404 from None
    if not isinstance(payload, dict) or payload.get("u") != user.pk or not isinstance(payload.get("e"), int):
        raise Http404
    return payload["e"]


def _visible_ids(user, enterprises):
    ids = [e.pk for e in enterprises]
    if not ids:
        return set()
    return set(Enterprise.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def _offer_collaboration(user, duplicates):
    """Ids of the duplicates the user may open; the others get a signed 申请协办 token (`collab_token`)."""
    visible = _visible_ids(user, duplicates)
    for enterprise in duplicates:
        if enterprise.pk not in visible:
            enterprise.collab_token = collaboration_token(user, enterprise.pk)
    return visible


def enterprise_check(request):
    """htmx: 查重 while typing — who already holds this name or credit code (no personal data)."""
    require_perm(request.user, "clients.add_enterprise")
    duplicates = services.enterprise_find_duplicates(
        name=request.GET.get("name", "")[:200], credit_code=request.GET.get("credit_code", "")[:30]
    )
    return render(
        request,
        "clients/_duplicates.html",
        {"duplicates": duplicates, "visible_ids": _offer_collaboration(request.user, duplicates)},
    )


def enterprise_detail(request, pk):
    enterprise = get_enterprise_for_user(request.user, pk)
    from ..models import Project

    projects = Project.objects.visible_to(request.user).filter(enterprise=enterprise).select_related("owner")
    contacts = []
    if request.user.has_perm("clients.view_contact"):
        contacts = list(enterprise.contacts.order_by("pk")) if hasattr(enterprise, "contacts") else []
    writable = can_write(request.user, enterprise)
    may_share = can_control(request.user, enterprise)
    return render(
        request,
        "clients/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "projects": projects,
            "contacts": contacts,
            "writable": writable,
            "may_share": may_share,
            "may_assign": services.may_assign(request.user, enterprise),
            "may_verify": may_verify(request.user, enterprise),
            "collaborators": services.collaborators_of(enterprise) if may_share else [],
            "assignments": enterprise.assignments.select_related("from_owner", "to_owner", "by")[:10],
        },
    )


@require_http_methods(["GET", "POST"])
def enterprise_edit(request, pk):
    enterprise = get_enterprise_for_user(request.user, pk, write=True)
    form = EnterpriseForm(request.POST or None, instance=enterprise)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data.get("credit_code")
        duplicates = [
            d
            for d in services.enterprise_find_duplicates(credit_code=code or "", exclude_pk=enterprise.pk)
            if code and d.credit_code == code
        ]
        if duplicates:
            form.add_error("credit_code", _("该统一社会信用代码已被其他企业使用。"))
        else:
            try:
                services.enterprise_update(user=request.user, enterprise=enterprise, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect(enterprise)
    return render(
        request,
        "clients/enterprise_form.html",
        {"form": form, "enterprise": enterprise, "duplicates": duplicates, "visible_ids": set()},
    )


@require_http_methods(["GET", "POST"])
def enterprise_assign(request, pk):
    enterprise = get_enterprise_for_user(request.user, pk)
    if not services.may_assign(request.user, enterprise):
        raise PermissionDenied
    form = AssignForm(request.POST or None, users=services.assignable_users(request.user))
    if request.method == "POST" and form.is_valid():
        services.enterprise_assign(
            by=request.user, enterprise=enterprise, to_user=form.cleaned_data["to_user"], note=form.cleaned_data["note"]
        )
        messages.success(request, _("已分派。"))
        return redirect(enterprise)
    return render(request, "clients/assign_form.html", {"form": form, "object": enterprise})


@require_http_methods(["GET", "POST"])
def enterprise_request_collaboration(request, token):
    """Ask the owner of an enterprise found by 查重 for 协办: only through the signed link of that result."""
    require_perm(request.user, "clients.add_enterprise")
    pk = _enterprise_pk_from_token(request.user, token)
    enterprise = Enterprise.objects.select_related("owner", "department").filter(pk=pk).first()
    if enterprise is None:
        raise Http404
    form = CollaborationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.collaboration_request(user=request.user, enterprise=enterprise)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("已向负责人发送协办申请。"))
        return redirect("clients:enterprise_list")
    return render(request, "clients/collaboration_request.html", {"form": form, "enterprise": enterprise})


@require_POST
def enterprise_collaborator_add(request, pk):
    return add_collaborator(request, get_enterprise_for_user(request.user, pk, write=True))


@require_POST
def enterprise_collaborator_remove(request, pk, user_id):
    return remove_collaborator(request, get_enterprise_for_user(request.user, pk, write=True), user_id)


def may_verify(user, enterprise):
    return user.is_superuser or is_head_of(user, enterprise.department_id)


@require_http_methods(["GET", "POST"])
def enterprise_verify(request, pk):
    """核实企业, for the head of its department: who, when and how are recorded (and audited)."""
    enterprise = get_enterprise_for_user(request.user, pk)
    if not may_verify(request.user, enterprise):
        raise PermissionDenied
    form = VerifyForm(
        request.POST or None,
        initial={
            "status": enterprise.Verification.VERIFIED,
            "method": enterprise.VerificationMethod.GSXT,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_verify(user=request.user, enterprise=enterprise, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("核实结果已记录。"))
            return redirect(enterprise)
    return render(request, "clients/enterprise_verify.html", {"form": form, "enterprise": enterprise})
